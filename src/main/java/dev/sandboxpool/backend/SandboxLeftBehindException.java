package dev.sandboxpool.backend;

/**
 * Creating a member failed after its sandbox came to exist, and removing that sandbox failed too (a daemon that
 * stopped between the two calls): the caller owns {@link #sandboxId()} and must remove it later, or it leaks. The
 * cause is what made the creation fail.
 */
public class SandboxLeftBehindException extends BackendException {
    private final String sandboxId;

    public SandboxLeftBehindException(String sandboxId, RuntimeException cause) {
        super(cause.getMessage() + " (the sandbox " + sandboxId + " it left could not be removed yet)", cause);
        this.sandboxId = sandboxId;
    }

    public String sandboxId() {
        return sandboxId;
    }

    /** What made the creation fail. */
    public RuntimeException failure() {
        return (RuntimeException) getCause();
    }
}
