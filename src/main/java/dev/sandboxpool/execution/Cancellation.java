package dev.sandboxpool.execution;

import java.util.ArrayList;
import java.util.List;

/**
 * A caller's wish to stop what it started (its HTTP client went away mid-stream). Whoever runs the work registers
 * how to stop it; {@link #cancel} runs that once, at once when the work is registered after the wish.
 */
public final class Cancellation {
    /** Never cancelled: for callers that wait for the end whatever happens. */
    public static final Cancellation NONE = new Cancellation();

    private final List<Runnable> hooks = new ArrayList<>();
    private boolean cancelled;

    public void cancel() {
        if (this == NONE) {
            return;
        }
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(hooks);
            hooks.clear();
        }
        run.forEach(Runnable::run);
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * Runs {@code stop} when cancelled (now, when already cancelled); closing the registration (the work ended)
     * forgets it.
     */
    public Registration onCancel(Runnable stop) {
        if (this == NONE) {
            return () -> { };
        }
        synchronized (this) {
            if (!cancelled) {
                hooks.add(stop);
                return () -> {
                    synchronized (this) {
                        hooks.remove(stop);
                    }
                };
            }
        }
        stop.run();
        return () -> { };
    }

    /** The end of a registration. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
