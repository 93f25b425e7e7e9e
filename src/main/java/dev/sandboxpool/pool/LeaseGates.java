package dev.sandboxpool.pool;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The uses and releases of leases in this process, one gate per lease. A use is an execution (one at a time) or a
 * call of the lease's files, commands and contexts (any number, beside an execution: the runner answers them in
 * turn). A release waits for every use under way (also one still opening its runner) before it cleans, and lets no
 * new one in. Without it the clean-up could end before that runner started, and the old tenant's code then ran in a
 * member marked idle. All state changes happen in {@link ConcurrentHashMap#compute}, atomic per lease.
 */
public final class LeaseGates {
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    /**
     * {@code uses}: executions and calls under way; {@code idle}: completed when they reach zero (null when none
     * runs).
     */
    private record Gate(boolean executing, int uses, CompletableFuture<Void> idle, boolean releasing) {
        Gate begin(boolean execution) {
            return new Gate(executing || execution, uses + 1, idle == null ? new CompletableFuture<>() : idle,
                    releasing);
        }
    }

    /**
     * An execution of {@code lease} begins; {@link #executionEnded} must follow.
     *
     * @throws LeaseBusyException when another one runs
     * @throws LeaseNotActiveException when the lease is being released
     */
    public void executionBegins(String lease) {
        begin(lease, true);
    }

    public void executionEnded(String lease) {
        end(lease, true);
    }

    /**
     * A call of the lease's files, commands or contexts begins; {@link #callEnded} must follow.
     *
     * @throws LeaseNotActiveException when the lease is being released
     */
    public void callBegins(String lease) {
        begin(lease, false);
    }

    public void callEnded(String lease) {
        end(lease, false);
    }

    private void begin(String lease, boolean execution) {
        gates.compute(lease, (id, g) -> {
            if (g != null && g.releasing()) {
                throw new LeaseNotActiveException(id);
            }
            if (execution && g != null && g.executing()) {
                throw new LeaseBusyException(id);
            }
            return (g == null ? new Gate(false, 0, null, false) : g).begin(execution);
        });
    }

    private void end(String lease, boolean execution) {
        AtomicReference<CompletableFuture<Void>> idle = new AtomicReference<>();
        gates.computeIfPresent(lease, (id, g) -> {
            int uses = g.uses() - 1;
            boolean executing = g.executing() && !execution;
            if (uses > 0) {
                return new Gate(executing, uses, g.idle(), g.releasing());
            }
            idle.set(g.idle());
            return g.releasing() ? new Gate(false, 0, null, true) : null;
        });
        // completed outside compute: a release waiting for it goes on
        if (idle.get() != null) {
            idle.get().complete(null);
        }
    }

    /**
     * A release of {@code lease} begins: no use starts from now on, and those under way are waited for up to {@code
     * wait}. {@link #releaseEnded} must follow.
     *
     * @throws LeaseBusyException when they did not end in time (the release may be retried)
     * @throws LeaseNotActiveException when another release of it is under way
     */
    public void releaseBegins(String lease, Duration wait) {
        Futures.await(releaseBeginsAsync(lease, wait), () -> new LeaseBusyException(lease));
    }

    /**
     * {@link #releaseBegins} without a thread: completes when no use of the lease runs any more, at once when none
     * does, or fails with {@link LeaseBusyException} after {@code wait} (the uses keep the lease then).
     */
    public CompletableFuture<Void> releaseBeginsAsync(String lease, Duration wait) {
        AtomicReference<CompletableFuture<Void>> idle = new AtomicReference<>();
        try {
            gates.compute(lease, (id, g) -> {
                if (g != null && g.releasing()) {
                    throw new LeaseNotActiveException(id);
                }
                idle.set(g == null ? null : g.idle());
                return g == null ? new Gate(false, 0, null, true)
                        : new Gate(g.executing(), g.uses(), g.idle(), true);
            });
        } catch (LeaseNotActiveException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (idle.get() == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        idle.get().copy().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((done, failure) -> {
            if (failure == null) {
                result.complete(null);
            } else {
                gaveUp(lease);
                result.completeExceptionally(new LeaseBusyException(lease));
            }
        });
        return result;
    }

    /** An execution of {@code lease} runs in this process right now. */
    public boolean executing(String lease) {
        Gate g = gates.get(lease);
        return g != null && g.executing();
    }

    /** The release waited in vain: the uses still running keep the lease, as before the release. */
    private void gaveUp(String lease) {
        gates.computeIfPresent(lease, (id, g) -> g.uses() == 0 ? null
                : new Gate(g.executing(), g.uses(), g.idle(), false));
    }

    public void releaseEnded(String lease) {
        gates.remove(lease);
    }
}
