package dev.sandboxpool.backend;

/** The sandbox no longer exists or no longer runs: killed, removed or evicted behind the pool's back. */
public class SandboxGoneException extends BackendException {
    public SandboxGoneException(String id, Throwable cause) {
        super("sandbox " + id + " is gone", cause);
    }
}
