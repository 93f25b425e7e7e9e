package dev.sandboxpool.local;

/** A spec file that cannot be read or does not hold SandboxPool documents; the message names file and field. */
public class SpecFileException extends RuntimeException {
    public SpecFileException(String message, Throwable cause) {
        super(message, cause);
    }

    public SpecFileException(String message) {
        super(message);
    }
}
