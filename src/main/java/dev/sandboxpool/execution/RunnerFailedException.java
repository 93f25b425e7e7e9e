package dev.sandboxpool.execution;

/** A runner request got no answer; {@link #timedOut()} when it was silent past its deadline. */
public final class RunnerFailedException extends RuntimeException {
    private final boolean timedOut;

    public RunnerFailedException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
