package dev.sandboxpool.backend;

/** The backend could not do what was asked (daemon unreachable, image missing, sandbox gone, ...). */
public class BackendException extends RuntimeException {
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }

    public BackendException(String message) {
        super(message);
    }
}
