package dev.sandboxpool.pool;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A pool as the lease API uses it, whichever backend holds the members: leases with a time to live, executions
 * under a lease, release. Local mode implements it in memory ({@link WarmPool}); cluster mode on the pods.
 */
public interface Pool {
    /** Extra time to live of the internal lease of a one-shot execution, beyond the execution's own limit. */
    Duration ONE_SHOT_TTL_MARGIN = Duration.ofSeconds(30);

    String name();

    PoolSettings settings();

    PoolStats stats();

    /**
     * A member for the caller's exclusive use, waiting up to {@code maxWait} behind earlier callers (FIFO). The lease
     * ends after {@code ttl} unless renewed.
     *
     * @throws NoSandboxAvailableException when none became free in time
     * @throws PoolStoppedException when the pool is shutting down
     */
    Lease acquire(Duration maxWait, Duration ttl);

    /**
     * {@link #acquire} as a future. A pool that can wait without a thread does (local mode); the default waits on a
     * thread of {@code blocking}. Fails with the exceptions {@link #acquire} throws, and with {@link
     * TooManyWaitingException} when {@code lease.maxWaiting} callers already wait.
     */
    default CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl, Executor blocking) {
        return Futures.supplyOn(blocking, () -> acquire(maxWait, ttl));
    }

    /**
     * Whether looking up, renewing and releasing leases and {@link #tryAcquire} may block on I/O (a cluster pool
     * writes leases to the API server); callers then keep these off event-loop threads.
     */
    default boolean leaseCallsBlock() {
        return true;
    }

    /** The lease while it is active. */
    Optional<Lease> lease(String leaseId);

    /** Why a lease that is no longer active ended without a release (expired, sandbox lost), if this pool knows. */
    default Optional<String> whyEnded(String leaseId) {
        return Optional.empty();
    }

    /**
     * Extends the lease to {@code ttl} from now.
     *
     * @throws LeaseNotActiveException when it is unknown, released, or expired ({@link LeaseExpiredException})
     */
    Lease renew(String leaseId, Duration ttl);

    /**
     * Runs code in the leased sandbox. State (files, background processes) persists between executions of one lease.
     *
     * @throws LeaseBusyException when another execution of the same lease is running
     */
    ExecutionResult execute(String leaseId, ExecutionRequest request);

    /** Ends the lease: the sandbox is cleaned and reused, or destroyed and replaced, as the spec says. */
    void release(String leaseId);

    /** Lease, run, release. */
    default Execution runOnce(ExecutionRequest request, Duration maxWait) {
        Lease lease = acquire(maxWait, request.timeout().plus(ONE_SHOT_TTL_MARGIN));
        try {
            return new Execution(lease, execute(lease.id(), request));
        } finally {
            release(lease.id());
        }
    }

    /**
     * {@link #runOnce} as a future: waiting for a member holds no thread where {@link #acquireAsync} holds none; the
     * code runs on {@code blocking}.
     */
    default CompletableFuture<Execution> runOnceAsync(ExecutionRequest request, Duration maxWait, Executor blocking) {
        return Futures.supplyOn(blocking, () -> runOnce(request, maxWait));
    }

    /** An execution's result with the lease it ran under. */
    record Execution(Lease lease, ExecutionResult result) {
    }
}
