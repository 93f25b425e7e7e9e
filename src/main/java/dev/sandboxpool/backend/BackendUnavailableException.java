package dev.sandboxpool.backend;

/**
 * The backend itself does not answer (the Docker daemon's socket is gone, the daemon restarts): no call on any member
 * can succeed until it is back, so the pool waits for it instead of counting failures against its members.
 */
public class BackendUnavailableException extends BackendException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
