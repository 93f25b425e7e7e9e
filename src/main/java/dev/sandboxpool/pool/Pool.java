package dev.sandboxpool.pool;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Duration;
import java.util.Optional;

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
     * A lease at once when a member is ready and nobody waits, without blocking; empty otherwise (then {@link
     * #acquire} waits in line). Only for pools that answer {@link #leaseCallsBlock()} with false.
     */
    default Optional<Lease> tryAcquire(Duration ttl) {
        return Optional.empty();
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

    /** An execution's result with the lease it ran under. */
    record Execution(Lease lease, ExecutionResult result) {
    }
}
