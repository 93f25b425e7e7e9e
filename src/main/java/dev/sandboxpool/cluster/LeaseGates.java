package dev.sandboxpool.cluster;

import dev.sandboxpool.pool.LeaseBusyException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The executions and releases of leases in this process, one gate per lease: one execution at a time, and a release
 * waits for the execution under way (also one still opening its runner) before it cleans, and lets no new one in.
 * Without it the clean-up could end before that runner started, and the old tenant's code then ran in a member
 * marked idle. All state changes happen in {@link ConcurrentHashMap#compute}, atomic per lease.
 */
final class LeaseGates {
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    /** {@code running}: completed when the execution under way ends; null when none runs. */
    private record Gate(CompletableFuture<Void> running, boolean releasing) {
    }

    /**
     * An execution of {@code lease} begins; {@link #executionEnded} must follow.
     *
     * @throws LeaseBusyException when another one runs
     * @throws LeaseNotActiveException when the lease is being released
     */
    void executionBegins(String lease) {
        gates.compute(lease, (id, g) -> {
            if (g != null && g.releasing()) {
                throw new LeaseNotActiveException(id);
            }
            if (g != null && g.running() != null) {
                throw new LeaseBusyException(id);
            }
            return new Gate(new CompletableFuture<>(), false);
        });
    }

    void executionEnded(String lease) {
        AtomicReference<CompletableFuture<Void>> ended = new AtomicReference<>();
        gates.computeIfPresent(lease, (id, g) -> {
            ended.set(g.running());
            return g.releasing() ? new Gate(null, true) : null;
        });
        // completed outside compute: a release waiting for it goes on
        if (ended.get() != null) {
            ended.get().complete(null);
        }
    }

    /**
     * A release of {@code lease} begins: no execution starts from now on, and one under way is waited for up to
     * {@code wait}. {@link #releaseEnded} must follow.
     *
     * @throws LeaseBusyException when the execution did not end in time (the release may be retried)
     * @throws LeaseNotActiveException when another release of it is under way
     */
    void releaseBegins(String lease, Duration wait) {
        AtomicReference<CompletableFuture<Void>> running = new AtomicReference<>();
        gates.compute(lease, (id, g) -> {
            if (g != null && g.releasing()) {
                throw new LeaseNotActiveException(id);
            }
            running.set(g == null ? null : g.running());
            return new Gate(running.get(), true);
        });
        if (running.get() == null) {
            return;
        }
        try {
            running.get().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            gaveUp(lease);
            throw new LeaseBusyException(lease);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gaveUp(lease);
            throw new LeaseBusyException(lease);
        }
    }

    /** The release waited in vain: the execution still running keeps the lease, as before the release. */
    private void gaveUp(String lease) {
        gates.computeIfPresent(lease, (id, g) -> g.running() == null ? null : new Gate(g.running(), false));
    }

    void releaseEnded(String lease) {
        gates.remove(lease);
    }
}
