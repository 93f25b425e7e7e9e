package dev.sandboxpool.pool;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.execution.RunnerFailedException;
import dev.sandboxpool.execution.RunnerOutcome;
import dev.sandboxpool.sandbox.LeaseChannel;
import dev.sandboxpool.sandbox.RunnerSandboxOps;
import dev.sandboxpool.sandbox.SandboxOpException;
import dev.sandboxpool.sandbox.SandboxOps;
import dev.sandboxpool.spec.PoolSettings;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lease engine of both modes, over a {@link LeaseStore}: waiting callers (FIFO, {@link LeaseLine}),
 * acquire, renew and release, one execution at a time per lease beside any number of calls of its files, commands
 * and contexts ({@link LeaseGates}), one-shot runs. A mode gives the store (memory, or pods) and keeps the members
 * alive; everything a caller can ask of a lease is decided here, once.
 *
 * <p>A release waits for every use of the lease under way, also one still opening its runner, and lets no new one
 * in, before the store cleans the member: the cluster issue's item 10 (the old tenant's code run after the clean-up)
 * cannot happen in either mode.
 */
public abstract class LeaseEngine implements Pool {
    private static final Logger log = LoggerFactory.getLogger(LeaseEngine.class);
    /** A release waits this much beyond the longest execution for a use of its lease that is under way. */
    private static final Duration RELEASE_WAIT_MARGIN = Duration.ofSeconds(30);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final LeaseStore store;
    private final PoolEvents events;
    private final LeaseLine line;
    private final LeaseGates gates = new LeaseGates();
    private final AtomicLong executions = new AtomicLong();
    private final OneShots oneShots = new OneShots(this);
    private volatile boolean stopped;

    /** @param dispatcher a single thread of this pool's own, where waiting callers are served in order */
    protected LeaseEngine(LeaseStore store, PoolEvents events, Executor dispatcher) {
        this.store = store;
        this.events = events;
        this.line = new LeaseLine(store.name(), store, dispatcher);
        store.bind(new LeaseStore.Engine() {
            @Override
            public void claimable() {
                if (!line.isEmpty()) {
                    line.dispatchSoon();
                }
            }

            @Override
            public boolean executing(String token) {
                return gates.executing(token);
            }

            @Override
            public int waiting() {
                return line.size();
            }
        });
    }

    @Override
    public final String name() {
        return store.name();
    }

    @Override
    public final PoolSettings settings() {
        return store.settings();
    }

    @Override
    public final PoolStats stats() {
        return store.stats(line.size(), executions.get());
    }

    @Override
    public final Executor leaseCalls() {
        return store.calls();
    }

    /** Stops serving: waiting callers are refused, and nobody can acquire any more. */
    protected final void stopLeasing() {
        stopped = true;
        line.stop(new PoolStoppedException(name()));
    }

    // ---- acquire ------------------------------------------------------------------------------------------------

    /**
     * A caller first tries for a free member itself when claims are quick and nobody waits before it; else, or when
     * none is free, it joins the line for {@code maxWait}. A zero wait is that first try alone, or the dispatcher's
     * first look when claims are not quick.
     */
    @Override
    public final CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl) {
        return acquireAsync(maxWait, ttl, false);
    }

    /**
     * {@code oneShot}: the internal lease of a one-shot, which the store may serve from members it holds for this
     * process's one-shots ({@link LeaseStore#claimOneShot}); its first try is then memory alone also when other
     * claims are writes.
     */
    private CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl, boolean oneShot) {
        if (stopped) {
            return CompletableFuture.failedFuture(new PoolStoppedException(name()));
        }
        long startedNanos = System.nanoTime();
        String token = LeaseIds.newToken();
        CompletableFuture<Lease> result = new CompletableFuture<>();
        if (!store.quickClaims() && !oneShot) {
            wait(token, ttl, maxWait, false, startedNanos, result);
            return result;
        }
        Optional<LeaseStore.Stored> now;
        try {
            now = !line.isEmpty() ? Optional.empty()
                    : oneShot ? store.quickOneShotClaim(token, ttl) : store.claim(token, ttl);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (now.isPresent()) {
            handOver(token, now.get(), startedNanos, true, result);
        } else if (store.quickClaims() && (maxWait.isZero() || maxWait.isNegative())) {
            result.completeExceptionally(new NoSandboxAvailableException(name(), maxWait, RETRY_AFTER));
        } else {
            wait(token, ttl, maxWait, oneShot, startedNanos, result);
        }
        return result;
    }

    /** A one-shot's internal lease (see {@link #acquireAsync(Duration, Duration, boolean)}), waited for here. */
    Lease acquireOneShot(Duration maxWait, Duration ttl) {
        return Futures.await(acquireAsync(maxWait, ttl, true), () -> new PoolStoppedException(name()));
    }

    /** In line: the dispatcher claims a member for the caller, or its wait ends. */
    private void wait(String token, Duration ttl, Duration maxWait, boolean oneShot, long startedNanos,
            CompletableFuture<Lease> result) {
        LeaseLine.Waiter waiter = line.join(token, ttl, maxWait, settings().maxWaiting(), oneShot);
        CompletableFuture<LeaseStore.Stored> waited = waiter.claimed();
        waited.whenComplete((member, failure) -> {
            if (member != null) {
                handOver(token, member, startedNanos, waiter.warm(), result);
                return;
            }
            Throwable cause = Futures.unwrapped(failure);
            result.completeExceptionally(cause instanceof TimeoutException
                    ? new NoSandboxAvailableException(name(), maxWait, RETRY_AFTER) : cause);
        });
        result.whenComplete((lease, f) -> {
            if (result.isCancelled()) {
                waited.cancel(false); // leaves the line; a member claimed meanwhile is given back
            }
        });
    }

    /** The claimed member becomes the caller's lease; a caller gone meanwhile gives it back untouched. */
    private void handOver(String token, LeaseStore.Stored member, long startedNanos, boolean warm,
            CompletableFuture<Lease> result) {
        long waitedMs = (System.nanoTime() - startedNanos) / 1_000_000;
        Lease lease = new Lease(LeaseIds.of(store.ref(), token), name(), member.member(), member.since(),
                member.expiresAt(), waitedMs, warm);
        if (!result.complete(lease)) {
            Futures.supplyOn(store.calls(), () -> {
                store.giveBack(token);
                return null;
            });
            return;
        }
        events.acquired(name(), waitedMs, warm);
        log.debug("pool {}: lease {} on {} after {} ms ({})", name(), lease.id(), member.member(), waitedMs,
                warm ? "warm" : "cold");
    }

    // ---- one lease ----------------------------------------------------------------------------------------------

    /** The token of an id of this pool; an id of another pool, or no id, is no lease here. */
    private String token(String leaseId) {
        return LeaseIds.token(leaseId, store.ref()).orElseThrow(() -> new LeaseNotActiveException(leaseId));
    }

    private Lease leaseOf(String leaseId, LeaseStore.Stored s) {
        return new Lease(leaseId, name(), s.member(), s.since(), s.expiresAt(), 0, true);
    }

    @Override
    public final Optional<Lease> lease(String leaseId) {
        return LeaseIds.token(leaseId, store.ref()).flatMap(store::find).map(s -> leaseOf(leaseId, s));
    }

    @Override
    public final Optional<String> whyEnded(String leaseId) {
        return LeaseIds.token(leaseId, store.ref()).flatMap(store::whyEnded);
    }

    @Override
    public final Lease renew(String leaseId, Duration ttl) {
        return leaseOf(leaseId, store.renew(token(leaseId), ttl));
    }

    @Override
    public final Optional<String> holderAddress(String leaseId) {
        return LeaseIds.token(leaseId, store.ref()).flatMap(store::holderAddress);
    }

    @Override
    public final void release(String leaseId) {
        release(leaseId, false);
    }

    /**
     * The release waits for the lease's uses under way without a thread; the store's parts (the lookup, the release)
     * run on its calls: inline when they are memory, off the caller's event loop when they are a remote store's.
     */
    @Override
    public final CompletableFuture<Void> releaseAsync(String leaseId) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Futures.supplyOn(store.calls(), () -> {
            activeLease(leaseId);
            return token(leaseId);
        }).thenCompose(token -> gates.releaseBeginsAsync(token, releaseWait()).thenApply(idle -> token))
                .whenComplete((token, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(Futures.unwrapped(failure));
                        return;
                    }
                    Futures.supplyOn(store.calls(), () -> {
                        releaseStored(token, false);
                        return null;
                    }).whenComplete((done, f) -> {
                        if (f != null) {
                            result.completeExceptionally(Futures.unwrapped(f));
                        } else {
                            result.complete(null);
                        }
                    });
                });
        return result;
    }

    private void releaseStored(String token, boolean clean) {
        try {
            store.release(token, clean);
        } finally {
            gates.releaseEnded(token);
        }
    }

    private Duration releaseWait() {
        return settings().maxTimeout().plus(RELEASE_WAIT_MARGIN);
    }

    // ---- executions ---------------------------------------------------------------------------------------------

    @Override
    public final ExecutionResult execute(String leaseId, ExecutionRequest request) {
        return execute(leaseId, request, false, null, Cancellation.NONE).result();
    }

    @Override
    public final ExecutionResult execute(String leaseId, ExecutionRequest request, SandboxOps.OutputListener output,
            Cancellation cancellation) {
        return execute(leaseId, request, false, output, cancellation).result();
    }

    /**
     * {@code lastOfLease}: a one-shot's run, whose runner cleans up in the same round trip; {@code output} null:
     * nothing streamed.
     *
     * @throws OneShots.NotDeliveredException when a one-shot's runner was found dead before its code was sent
     */
    private RunnerOutcome execute(String leaseId, ExecutionRequest request, boolean lastOfLease,
            SandboxOps.OutputListener output, Cancellation cancellation) {
        String token = token(leaseId);
        gates.executionBegins(token);
        try {
            LeaseStore.Use use;
            try {
                use = store.use(token);
            } catch (BackendException e) {
                // the runner could not be reached or started (user code killed the one this lease had)
                executions.incrementAndGet();
                store.damaged(token, e);
                return reported(leaseId, new RunnerOutcome(ExecutionResult.sandboxFailed("the sandbox failed: "
                        + e.getMessage(), 0, false), true, false));
            }
            try (use) {
                return reported(use.member(), run(token, use, request, lastOfLease, output, cancellation));
            }
        } finally {
            gates.executionEnded(token);
        }
    }

    private RunnerOutcome run(String token, LeaseStore.Use use, ExecutionRequest request, boolean lastOfLease,
            SandboxOps.OutputListener output, Cancellation cancellation) {
        Runner runner = use.runner();
        if (lastOfLease && !runner.alive()) {
            store.damaged(token, null);
            throw new OneShots.NotDeliveredException("the runner of " + use.member() + " had ended");
        }
        executions.incrementAndGet();
        store.executed(token);
        long maxOutput = settings().maxOutputBytes();
        try {
            RunnerOutcome outcome = lastOfLease ? runner.runAndClean(request, maxOutput)
                    : output == null ? runner.run(request, maxOutput)
                    : runner.run(request, maxOutput, event -> SandboxOps.OutputListener.deliver(event, output),
                            cancellation);
            if (outcome.damaged()) {
                store.damaged(token, null);
            }
            return outcome;
        } catch (BackendException e) {
            store.damaged(token, e);
            return new RunnerOutcome(ExecutionResult.sandboxFailed("the sandbox failed: " + e.getMessage(), 0,
                    false), true, false);
        }
    }

    /** Logs and reports an execution's outcome ({@code member}: the sandbox it ran in, or the lease's id). */
    private RunnerOutcome reported(String member, RunnerOutcome outcome) {
        ExecutionResult result = outcome.result();
        if (outcome.damaged()) {
            log.warn("pool {}: sandbox {} failed during an execution and will be replaced: {}", name(), member,
                    result.error());
        }
        events.executed(name(), member, result);
        log.info("pool {}: execution on {}: ran {} ms, exit {}{}{}", name(), member, result.durationMs(),
                result.exitCode(), result.timedOut() ? ", timed out" : "",
                result.truncated() ? ", output truncated" : "");
        return outcome;
    }

    // ---- one-shots ----------------------------------------------------------------------------------------------

    @Override
    public final Execution runOnce(ExecutionRequest request, Duration maxWait) {
        return oneShots.run(acquireOneShot(maxWait, OneShots.ttl(request)), request, maxWait);
    }

    /** Waits for a member without a thread; only the code's run takes one of {@code codeRunner}. */
    @Override
    public final CompletableFuture<Execution> runOnceAsync(ExecutionRequest request, Duration maxWait,
            Executor codeRunner) {
        return Futures.thenOn(acquireAsync(maxWait, OneShots.ttl(request), true), codeRunner,
                lease -> oneShots.run(lease, request, maxWait));
    }

    /** A one-shot's run: the runner cleans up in the same round trip (a single-use member needs no clean-up). */
    RunnerOutcome executeLast(String leaseId, ExecutionRequest request) {
        return execute(leaseId, request, settings().reusePolicy() == ReusePolicy.Recycle, null, Cancellation.NONE);
    }

    /** {@link #release}, told whether the last execution's runner request cleaned the sandbox already. */
    void release(String leaseId, boolean clean) {
        // no lookup first: the store's release finds the lease itself, and refuses one that ended (a lookup here
        // was one more read of the pod on every one-shot of a cluster pool)
        String token = token(leaseId);
        gates.releaseBegins(token, releaseWait());
        releaseStored(token, clean);
    }

    boolean memberLost(String leaseId) {
        return LeaseIds.token(leaseId, store.ref()).map(store::memberLost).orElse(false);
    }

    // ---- files, commands, contexts ------------------------------------------------------------------------------

    @Override
    public final SandboxOps sandbox(String leaseId) {
        String token = token(leaseId);
        if (store.find(token).isEmpty()) {
            activeLease(leaseId); // throws: expired, or unknown
        }
        PoolSettings s = settings();
        return new RunnerSandboxOps(LeaseChannel.of((request, deadline, events) -> call(token, request, deadline,
                events), nonce -> store.cancel(token, nonce)), s.maxOutputBytes(), s.maxTimeout());
    }

    /** A request of a lease's files, commands or contexts on its member's runner, fenced by the lease. */
    private JsonNode call(String token, Map<String, Object> request, Duration deadline, Consumer<JsonNode> events) {
        gates.callBegins(token);
        String member = null;
        try (LeaseStore.Use use = store.use(token)) {
            member = use.member();
            if (!use.holdsState()) {
                throw new SandboxOpException(SandboxOpException.Kind.UNSUPPORTED, "lease", "the runner in "
                        + member + " cannot stay attached between requests, so it cannot hold files, commands or"
                        + " contexts");
            }
            JsonNode answer = use.runner().call(request, deadline, events);
            if (answer.hasNonNull("error")) {
                store.damaged(token, null);
            }
            return answer;
        } catch (RunnerFailedException | BackendException e) {
            if (member != null) {
                log.warn("pool {}: sandbox {} failed during a lease's call and will be replaced: {}", name(), member,
                        e.getMessage());
                store.damaged(token, e instanceof BackendException ? e : null);
            }
            throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "lease", "the sandbox failed: "
                    + e.getMessage());
        } finally {
            gates.callEnded(token);
        }
    }
}
