package dev.sandboxpool.pool;

import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.sandbox.SandboxOps;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A pool as the lease API uses it, whichever backend holds the members: leases with a time to live, executions
 * under a lease, release. One engine implements it ({@link LeaseEngine}), over leases in memory (local mode,
 * {@link WarmPool}) or on the pods (cluster mode).
 */
public interface Pool {
    /** Extra time to live of the internal lease of a one-shot execution, beyond the execution's own limit. */
    Duration ONE_SHOT_TTL_MARGIN = Duration.ofSeconds(30);

    String name();

    PoolSettings settings();

    PoolStats stats();

    /**
     * A member for the caller's exclusive use, waiting up to {@code maxWait} behind earlier callers (FIFO), as a
     * future: waiting holds no thread in either mode (a waiter is a future in the line, completed by whoever frees or
     * claims a member). The lease ends after {@code ttl} unless renewed. Fails with {@link
     * NoSandboxAvailableException} when none became free in time, {@link TooManyWaitingException} when {@code
     * lease.maxWaiting} callers already wait, {@link PoolStoppedException} when the pool is shutting down.
     * Cancelling it (a caller gone) leaves the line, or gives back the member it was handed.
     */
    CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl);

    /** {@link #acquireAsync}, waiting on the calling thread; an interrupt gives the place in line up. */
    default Lease acquire(Duration maxWait, Duration ttl) {
        return Futures.await(acquireAsync(maxWait, ttl), () -> new PoolStoppedException(name()));
    }

    /**
     * Where this pool's lease lookups, renewals and releases run: on the caller's thread when leases are memory (local
     * mode, microseconds under a lock); on threads of the pool's own when they are reads and writes of a store (a
     * cluster pool reads and writes pods). The async lease calls below run there; nobody outside needs to know.
     */
    default Executor leaseCalls() {
        return Runnable::run;
    }

    /**
     * The lease while it is active.
     *
     * @throws LeaseExpiredException when this pool knows it ended without a release, and why
     * @throws LeaseNotActiveException when it is unknown or was released
     */
    default Lease activeLease(String leaseId) {
        Optional<Lease> lease = lease(leaseId);
        if (lease.isPresent()) {
            return lease.get();
        }
        Optional<String> why = whyEnded(leaseId);
        throw why.isPresent() ? new LeaseExpiredException(leaseId, why.get()) : new LeaseNotActiveException(leaseId);
    }

    /** {@link #activeLease} on {@link #leaseCalls}. */
    default CompletableFuture<Lease> activeLeaseAsync(String leaseId) {
        return Futures.supplyOn(leaseCalls(), () -> activeLease(leaseId));
    }

    /** {@link #renew} of an {@link #activeLease} on {@link #leaseCalls}. */
    default CompletableFuture<Lease> renewAsync(String leaseId, Duration ttl) {
        return Futures.supplyOn(leaseCalls(), () -> {
            activeLease(leaseId);
            return renew(leaseId, ttl);
        });
    }

    /** {@link #release} of an {@link #activeLease} on {@link #leaseCalls}. */
    default CompletableFuture<Void> releaseAsync(String leaseId) {
        return Futures.supplyOn(leaseCalls(), () -> {
            activeLease(leaseId);
            release(leaseId);
            return null;
        });
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

    /**
     * {@link #execute(String, ExecutionRequest)} with its output given to {@code output} as it arrives, stopped (its
     * processes killed, the lease kept) when {@code cancellation} is cancelled. A pool whose runners cannot stream
     * or cancel runs it to its end and gives no output before the result.
     */
    default ExecutionResult execute(String leaseId, ExecutionRequest request, SandboxOps.OutputListener output,
            Cancellation cancellation) {
        return execute(leaseId, request);
    }

    /** Ends the lease: the sandbox is cleaned and reused, or destroyed and replaced, as the spec says. */
    void release(String leaseId);

    /**
     * Lease, run, release: the runner cleans in the run's own round trip, and a member lost through no fault of the
     * code is retried once on another ({@link OneShots}).
     */
    Execution runOnce(ExecutionRequest request, Duration maxWait);

    /**
     * {@link #runOnce} as a future: waiting for a member holds no thread; the code runs on {@code codeRunner}.
     * Cancelling it while it waits leaves the line.
     */
    CompletableFuture<Execution> runOnceAsync(ExecutionRequest request, Duration maxWait, Executor codeRunner);

    /**
     * Files, commands and Python contexts in the lease's sandbox, every call fenced by the lease (see {@link
     * SandboxOps}).
     *
     * @throws LeaseNotActiveException when the lease is not active
     */
    SandboxOps sandbox(String leaseId);

    /**
     * Where the lease's {@link #sandbox} calls must go when another process holds the lease ({@code ip:port}): its
     * commands and contexts live in that process's runner. Empty when this process serves them (always in local
     * mode), or when the holder left no address.
     */
    default Optional<String> holderAddress(String leaseId) {
        return Optional.empty();
    }

    /** An execution's result with the lease it ran under. */
    record Execution(Lease lease, ExecutionResult result) {
    }
}
