package dev.sandboxpool.pool;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.BackendUnavailableException;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.backend.SandboxGoneException;
import dev.sandboxpool.backend.SandboxLeftBehindException;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.execution.RunnerOutcome;
import dev.sandboxpool.execution.RunnerFailedException;
import dev.sandboxpool.execution.RunnerSession;
import dev.sandboxpool.sandbox.LeaseChannel;
import dev.sandboxpool.sandbox.RunnerSandboxOps;
import dev.sandboxpool.sandbox.SandboxOpException;
import dev.sandboxpool.sandbox.SandboxOps;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool at run time: its members, the callers waiting for one (served first come, first served), and the loop
 * that applies the {@link Planner}'s actions through the {@link SandboxBackend}.
 *
 * <p>State changes happen under one lock and are quick; every backend call (create, exec, destroy) runs outside it
 * on the pool's worker threads, and reports back under the lock. A member a call is working on is {@code busy}, so
 * the planner never starts a second action on it.
 */
public final class WarmPool implements Pool {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

    private final SandboxBackend backend;
    private final PoolEngineConfig config;
    private final Clock clock;
    private final Planner planner;
    private final PoolConditions conditions = new PoolConditions();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Deque<CompletableFuture<Member>> waiters = new ArrayDeque<>();
    private final Map<RetireReason, AtomicLong> retiredBy = new EnumMap<>(RetireReason.class);
    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final Map<String, ActiveLease> leases = new ConcurrentHashMap<>();
    /** Why recent leases ended without a release, so their callers get "expired", not "unknown". */
    private final Map<String, String> ended = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000;
        }
    });
    private final PoolEvents events;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;

    private volatile PoolSettings settings;
    private volatile boolean stopped;
    /** Why the backend does not answer, while it does not: null when it does. */
    private volatile String backendProblem;
    private int startFailures;
    private String lastStartError;
    private Instant createNotBefore;
    private Instant lastSync = Instant.EPOCH;
    private Instant lastStatsLog;

    public WarmPool(PoolSettings settings, SandboxBackend backend, PoolEngineConfig config, Clock clock,
            PoolEvents events) {
        this.settings = settings;
        this.events = events;
        this.backend = backend;
        this.config = config;
        this.clock = clock;
        this.planner = new Planner(config.startupTimeout());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pool-" + settings.name()));
        this.workers = Executors.newCachedThreadPool(DaemonThreads.named("pool-" + settings.name() + "-worker"));
        for (RetireReason r : RetireReason.values()) {
            retiredBy.put(r, new AtomicLong());
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public PoolSettings settings() {
        return settings;
    }

    /** Adopts or removes what an earlier run left, then starts warming and the periodic loop. */
    public void start() {
        PoolSettings s = settings;
        log.info("pool {}: starting on {} (image {}, minSize {}, maxSize {}, reuse {})", s.name(), backend.kind(),
                s.image(), s.minSize(), s.maxSize(), s.reusePolicy());
        removeLeftovers(s);
        lastStatsLog = clock.instant();
        scheduler.scheduleWithFixedDelay(this::tickSafely, 0, config.tickInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A new spec for this pool: sizes apply at once, members of an older shape are replaced when idle. */
    public void update(PoolSettings newSettings) {
        PoolSettings old = settings;
        settings = newSettings;
        if (!old.equals(newSettings)) {
            log.info("pool {}: spec updated (minSize {}, maxSize {}, spec hash {} -> {})", name(),
                    newSettings.minSize(), newSettings.maxSize(), old.specHash(), newSettings.specHash());
            requestReconcile();
        }
    }

    // ---- leases -------------------------------------------------------------------------------------------------

    /** Under the lock: a lease on a ready member when nobody waits before the caller, else null. */
    private Lease leaseReadyMember(long startedNanos, Duration ttl) {
        if (!waiters.isEmpty()) {
            return null;
        }
        Member ready = newestReady();
        if (ready == null) {
            return null;
        }
        markLeased(ready);
        return newLease(ready, startedNanos, true, ttl);
    }

    /**
     * Waiting holds no thread: a caller that finds no ready member joins the FIFO line as a future, completed by
     * whoever readies a member, or failed when its wait ends (issue 13 item 2: 200 waiting one-shots held all 200
     * request threads, and every other pool and route waited behind them). The line is bounded by the pool's
     * {@code lease.maxWaiting}. Cancelling the returned future (a caller gone) leaves the line, or gives back the
     * member it was handed.
     */
    @Override
    public CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl) {
        long startedNanos = System.nanoTime();
        CompletableFuture<Member> waiter;
        lock.lock();
        try {
            if (stopped) {
                return CompletableFuture.failedFuture(new PoolStoppedException(name()));
            }
            String away = backendProblem;
            if (away != null) {
                return CompletableFuture.failedFuture(new PoolUnavailableException(name(), away));
            }
            Lease now = leaseReadyMember(startedNanos, ttl);
            if (now != null) {
                return CompletableFuture.completedFuture(now);
            }
            if (maxWait.isZero() || maxWait.isNegative()) {
                return CompletableFuture.failedFuture(new NoSandboxAvailableException(name(), maxWait, retryAfter()));
            }
            if (waiters.size() >= settings.maxWaiting()) {
                return CompletableFuture.failedFuture(new TooManyWaitingException(name(), settings.maxWaiting()));
            }
            waiter = new CompletableFuture<>();
            waiters.addLast(waiter);
        } finally {
            lock.unlock();
        }
        requestReconcile();
        CompletableFuture<Lease> result = new CompletableFuture<>();
        // orTimeout fails the waiter from the JDK's timer thread; a member handed over first wins the race, since
        // becomeReady completes a waiter only if nothing else did
        waiter.orTimeout(maxWait.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((member, failure) -> handOver(waiter, member, failure, result, startedNanos,
                        maxWait, ttl), workers);
        result.whenComplete((lease, failure) -> {
            if (result.isCancelled() && waiter.cancel(false)) {
                leaveLine(waiter);
            }
        });
        return result;
    }

    /** On a worker, outside the lock: the member a waiter got becomes the caller's lease, or the wait's failure. */
    private void handOver(CompletableFuture<Member> waiter, Member member, Throwable failure,
            CompletableFuture<Lease> result, long startedNanos, Duration maxWait, Duration ttl) {
        if (failure != null) {
            leaveLine(waiter);
            Throwable cause = Futures.unwrapped(failure);
            result.completeExceptionally(cause instanceof TimeoutException
                    ? new NoSandboxAvailableException(name(), maxWait, retryAfter())
                    : cause instanceof java.util.concurrent.CancellationException ? cause
                    : new PoolStoppedException(name()));
            return;
        }
        Lease lease = newLease(member, startedNanos, false, ttl);
        if (!result.complete(lease)) {
            release(lease.id()); // the caller went away while it waited
        }
    }

    private void leaveLine(CompletableFuture<Member> waiter) {
        lock.lock();
        try {
            waiters.remove(waiter);
        } finally {
            lock.unlock();
        }
    }

    private Lease newLease(Member m, long startedNanos, boolean warm, Duration ttl) {
        long waitedMs = (System.nanoTime() - startedNanos) / 1_000_000;
        Instant now = clock.instant();
        Lease lease = new Lease(LeaseIds.of(name(), LeaseIds.newToken()), name(), m.label(), now, now.plus(ttl),
                waitedMs, warm);
        leases.put(lease.id(), new ActiveLease(lease, m.id));
        events.acquired(name(), waitedMs, warm);
        log.debug("pool {}: lease {} on {} after {} ms ({})", name(), lease.id(), m.label(), waitedMs,
                warm ? "warm" : "cold");
        return lease;
    }

    /** Leases held right now. */
    public int activeLeases() {
        return leases.size();
    }

    @Override
    public Optional<Lease> lease(String leaseId) {
        ActiveLease a = leases.get(leaseId);
        return a == null ? Optional.empty() : Optional.of(a.lease);
    }

    @Override
    public Optional<String> whyEnded(String leaseId) {
        return Optional.ofNullable(ended.get(leaseId));
    }

    @Override
    public Lease renew(String leaseId, Duration ttl) {
        ActiveLease a = active(leaseId);
        synchronized (a) {
            a.lease = a.lease.withExpiresAt(clock.instant().plus(ttl));
            return a.lease;
        }
    }

    private ActiveLease active(String leaseId) {
        ActiveLease a = leases.get(leaseId);
        if (a != null) {
            return a;
        }
        String why = ended.get(leaseId);
        throw why != null ? new LeaseExpiredException(leaseId, why) : new LeaseNotActiveException(leaseId);
    }

    @Override
    public ExecutionResult execute(String leaseId, ExecutionRequest request) {
        return execute(leaseId, request, false, null, Cancellation.NONE);
    }

    @Override
    public ExecutionResult execute(String leaseId, ExecutionRequest request, SandboxOps.OutputListener output,
            Cancellation cancellation) {
        return execute(leaseId, request, false, output, cancellation);
    }

    /** A one-shot execution: the runner cleans up in the same round trip, so the release needs no second one. */
    @Override
    public Execution runOnce(ExecutionRequest request, Duration maxWait) {
        return runLeasedOnce(acquire(maxWait, oneShotTtl(request)), request, maxWait);
    }

    private static Duration oneShotTtl(ExecutionRequest request) {
        return request.timeout().plus(ONE_SHOT_TTL_MARGIN);
    }

    /** Waits for a member without a thread; only the code's run takes one of {@code codeRunner}. */
    @Override
    public CompletableFuture<Execution> runOnceAsync(ExecutionRequest request, Duration maxWait,
            java.util.concurrent.Executor codeRunner) {
        return Futures.thenOn(acquireAsync(maxWait, oneShotTtl(request)), codeRunner,
                lease -> runLeasedOnce(lease, request, maxWait));
    }

    /**
     * Runs a one-shot under its internal lease, once more on another member when the first failed through no fault
     * of the code (issue 13 item 8): its runner was found dead before the code was sent, or the backend lost the
     * member (stopped, paused, removed) while the code ran. A failure the code can cause (its runner killed, a time
     * limit, a flood) is reported, never retried. The internal lease never reaches the caller, nor its end.
     */
    private Execution runLeasedOnce(Lease first, ExecutionRequest request, Duration maxWait) {
        Lease lease = first;
        for (int attempt = 1; ; attempt++) {
            OneShot shot = runOneShot(lease, request);
            if (shot.memberFailure() == null) {
                return new Execution(lease, shot.result());
            }
            if (attempt == ONE_SHOT_ATTEMPTS) {
                return new Execution(lease, ExecutionResult.sandboxFailed("the sandbox failed: "
                        + shot.memberFailure(), shot.result() == null ? 0 : shot.result().durationMs(), false));
            }
            log.warn("pool {}: one-shot on {} failed through no fault of its code ({}), running it on another member",
                    name(), lease.sandbox(), shot.memberFailure());
            lease = acquire(maxWait, oneShotTtl(request));
        }
    }

    private static final int ONE_SHOT_ATTEMPTS = 2;

    /** A one-shot's result, or why its member failed it (then the result, if any, is not the code's). */
    private record OneShot(ExecutionResult result, String memberFailure) {
    }

    private OneShot runOneShot(Lease lease, ExecutionRequest request) {
        ActiveLease a = leases.get(lease.id());
        try {
            // a single-use member is destroyed after its lease: cleaning it first would be wasted
            ExecutionResult r = execute(lease.id(), request, settings.reusePolicy() == ReusePolicy.Recycle, null,
                    Cancellation.NONE);
            return a != null && a.memberLost ? new OneShot(r, "its sandbox was lost while the code ran") : new OneShot(r,
                    null);
        } catch (NotDeliveredException e) {
            return new OneShot(null, e.getMessage());
        } catch (LeaseNotActiveException e) {
            if (a != null && a.memberLost) {
                return new OneShot(null, "its sandbox was lost before the code ran");
            }
            // the internal lease ended otherwise (expired: the run outlived its limit and the margin); the caller
            // never had that lease, so it hears of its sandbox, not of it
            return new OneShot(ExecutionResult.sandboxFailed("the sandbox was taken back before the code finished",
                    0, false), null);
        } finally {
            try {
                release(lease.id());
            } catch (LeaseNotActiveException ended) {
                // it ended first (lost or expired): its member is being replaced already
            }
        }
    }

    /** A one-shot's code was not sent: its member's runner was found dead first. */
    private static final class NotDeliveredException extends RuntimeException {
        NotDeliveredException(String message) {
            super(message);
        }
    }

    /** {@code output} null: nothing streamed, the runner's plain run (a one-shot's run-and-clean, or a lease's). */
    private ExecutionResult execute(String leaseId, ExecutionRequest request, boolean lastOfLease,
            SandboxOps.OutputListener output, Cancellation cancellation) {
        ActiveLease a = active(leaseId);
        if (!a.running.tryLock()) {
            throw new LeaseBusyException(leaseId);
        }
        try (Held held = hold(a, leaseId)) {
            Runner runner = held.runner;
            if (lastOfLease && runner != null && !runner.alive()) {
                // a one-shot's member whose runner ended before its code was sent (its sandbox died)
                a.damaged = true;
                throw new NotDeliveredException("the runner of " + held.member.label() + " had ended");
            }
            executions.incrementAndGet();
            ExecutionResult result;
            try {
                RunnerOutcome outcome = lastOfLease ? runner.runAndClean(request, settings.maxOutputBytes())
                        : output == null ? runner.run(request, settings.maxOutputBytes())
                        : runner.run(request, settings.maxOutputBytes(),
                                event -> SandboxOps.OutputListener.deliver(event, output), cancellation);
                a.cleanedAfter = outcome.cleaned();
                if (outcome.damaged()) {
                    a.damaged = true;
                    log.warn("pool {}: sandbox {} failed during an execution and will be replaced: {}", name(),
                            a.lease.sandbox(), outcome.result().error());
                }
                result = outcome.result();
            } catch (BackendException e) {
                a.damaged = true;
                noteBackendFailure(e);
                log.warn("pool {}: sandbox {} failed during an execution and will be replaced: {}", name(),
                        a.lease.sandbox(), e.getMessage());
                result = ExecutionResult.sandboxFailed("the sandbox failed: " + e.getMessage(), 0, false);
            }
            events.executed(name(), a.lease.sandbox(), result);
            log.info("pool {}: execution on {}: acquired in {} ms ({}), ran {} ms, exit {}{}{}", name(),
                    a.lease.sandbox(), a.lease.waitedMs(), a.lease.warm() ? "warm" : "cold", result.durationMs(),
                    result.exitCode(), result.timedOut() ? ", timed out" : "",
                    result.truncated() ? ", output truncated" : "");
            return result;
        } finally {
            a.running.unlock();
        }
    }

    @Override
    public SandboxOps sandbox(String leaseId) {
        active(leaseId);
        return new RunnerSandboxOps(LeaseChannel.of((request, deadline, events) -> callUnderLease(leaseId, request,
                deadline, events), nonce -> cancelUnderLease(leaseId, nonce)), settings.maxOutputBytes(),
                settings.maxTimeout());
    }

    /**
     * A cancel reaches the member's runner only while the lease holds it (it names one request's nonce, so it can
     * stop nothing else); it needs no hold of the member, it must overtake the call that holds it.
     */
    private void cancelUnderLease(String leaseId, String nonce) {
        ActiveLease a = leases.get(leaseId);
        if (a == null) {
            return;
        }
        Runner runner;
        lock.lock();
        try {
            Member m = members.get(a.memberId);
            runner = m != null && leases.get(leaseId) == a && m.state == MemberState.LEASED ? m.runner : null;
        } finally {
            lock.unlock();
        }
        if (runner != null) {
            runner.cancel(nonce);
        }
    }

    /** A request of a lease's files, commands or contexts on its member's runner, fenced by the lease. */
    private JsonNode callUnderLease(String leaseId, Map<String, Object> request, Duration deadline,
            Consumer<JsonNode> events) {
        ActiveLease a = active(leaseId);
        try (Held held = hold(a, leaseId)) {
            if (held.runner == null) {
                throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "lease", "the sandbox has no"
                        + " runner");
            }
            JsonNode answer = held.runner.call(request, deadline, events);
            if (answer.hasNonNull("error")) {
                a.damaged = true;
            }
            return answer;
        } catch (RunnerFailedException e) {
            a.damaged = true;
            log.warn("pool {}: sandbox {} failed during a lease's call and will be replaced: {}", name(),
                    a.lease.sandbox(), e.getMessage());
            throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "lease", "the sandbox failed: "
                    + e.getMessage());
        } catch (BackendException e) {
            a.damaged = true;
            noteBackendFailure(e);
            throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "lease", "the sandbox failed: "
                    + e.getMessage());
        }
    }

    /**
     * The lease's member, held from its clean-up ({@link Member#use}) until closed, after checking under the pool's
     * lock that the lease still holds it. Counts the lease's use of it.
     *
     * @throws LeaseExpiredException when the lease lost its member
     */
    private Held hold(ActiveLease a, String leaseId) {
        Member m;
        lock.lock();
        try {
            m = members.get(a.memberId);
        } finally {
            lock.unlock();
        }
        if (m == null) {
            throw new LeaseExpiredException(leaseId, "its sandbox is gone");
        }
        ReentrantReadWriteLock.ReadLock use = m.use.readLock();
        use.lock();
        try {
            lock.lock();
            try {
                if (leases.get(leaseId) != a || members.get(a.memberId) != m || m.state != MemberState.LEASED) {
                    throw new LeaseExpiredException(leaseId, "its sandbox is gone");
                }
                if (!a.touched) {
                    // a use is a lease that ran code: set before it runs, so a failed execution counts too
                    a.touched = true;
                    m.uses++;
                }
                return new Held(m, m.runner, use);
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            use.unlock();
            throw e;
        }
    }

    /** A member held for one call of its lease. */
    private record Held(Member member, Runner runner, ReentrantReadWriteLock.ReadLock use) implements AutoCloseable {
        @Override
        public void close() {
            use.unlock();
        }
    }

    @Override
    public void release(String leaseId) {
        ActiveLease a = leases.remove(leaseId);
        if (a == null) {
            active(leaseId); // throws: expired, or unknown / released twice
            return;
        }
        finish(a, null);
    }

    /**
     * Returns the lease's member: recycled, or destroyed as the planner decides; {@code forced} destroys it whatever
     * the spec says (its lease expired while code ran in it).
     */
    private void finish(ActiveLease a, RetireReason forced) {
        Member cleaning = null;
        lock.lock();
        try {
            Member m = members.get(a.memberId);
            if (m == null || m.state != MemberState.LEASED) {
                return; // lost while leased: already being replaced
            }
            Instant now = clock.instant();
            boolean untouched = forced == null && !a.touched;
            boolean alreadyClean = forced == null && a.cleanedAfter && !a.damaged;
            ReleaseDecision decision = forced != null ? new ReleaseDecision(forced)
                    : untouched ? planner.afterUntouchedRelease(settings, m.snapshot(), now)
                    : planner.afterRelease(settings, m.snapshot(), a.damaged, now);
            if (!decision.recycle()) {
                retire(m, decision.destroyBecause());
            } else if (untouched || alreadyClean) {
                // no code ran in it, or the runner cleaned it before answering: the pool's shape is unchanged
                if (alreadyClean) {
                    markProbed(m, now);
                }
                becomeReady(m, now);
                return;
            } else {
                m.state = MemberState.CLEANING;
                m.busy = true;
                cleaning = m;
            }
        } finally {
            lock.unlock();
        }
        if (cleaning != null) {
            Member m = cleaning;
            workers.execute(() -> clean(m));
        }
        requestReconcile();
    }

    /** Reclaims leases whose time to live passed: a running execution dies with its sandbox. */
    private void expireLeases(Instant now) {
        for (ActiveLease a : List.copyOf(leases.values())) {
            if (a.lease.expiresAt().isAfter(now) || !leases.remove(a.lease.id(), a)) {
                continue;
            }
            ended.put(a.lease.id(), "not renewed before " + a.lease.expiresAt());
            events.leaseExpired(name());
            boolean running = a.running.isLocked();
            log.info("pool {}: lease {} on {} expired{}", name(), a.lease.id(), a.lease.sandbox(),
                    running ? " during an execution: the sandbox is destroyed" : "");
            finish(a, running ? RetireReason.LEASE_EXPIRED : null);
        }
    }

    /** Under the lock: a member lost while leased ends its lease. */
    private void endLeasesOf(Member m, String why) {
        for (ActiveLease a : List.copyOf(leases.values())) {
            if (a.memberId.equals(m.id) && leases.remove(a.lease.id(), a)) {
                a.memberLost = true;
                ended.put(a.lease.id(), why);
            }
        }
    }

    /** An active lease and what only the pool knows of it. */
    private static final class ActiveLease {
        final String memberId;
        /** Held while an execution runs: a second one is refused, never interleaved. */
        final ReentrantLock running = new ReentrantLock();
        volatile Lease lease;
        volatile boolean damaged;
        /** Code ran under this lease (written under the pool lock): until then the sandbox is as handed out. */
        boolean touched;
        /** The last execution was followed by a verified clean-up inside the same runner request. */
        volatile boolean cleanedAfter;
        /** The backend lost the member (stopped, paused, removed) while this lease held it. */
        volatile boolean memberLost;

        ActiveLease(Lease lease, String memberId) {
            this.lease = lease;
            this.memberId = memberId;
        }
    }

    // ---- the loop ---------------------------------------------------------------------------------------------

    /** Runs the planner soon (at most one queued run), e.g. when a caller starts waiting or a member changes. */
    void requestReconcile() {
        if (reconcileQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::tickSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reconcileQueued.set(false); // stopping: nothing more to plan
            }
        }
    }

    private void tickSafely() {
        reconcileQueued.set(false);
        try {
            tick();
            // conditions date their transitions when they are derived: here at every tick, so at most a tick after
            // the change, not at the next read of the pool (which may be much later)
            stats();
        } catch (RuntimeException e) {
            log.error("pool {}: reconcile failed, retrying on the next tick", name(), e);
        }
    }

    private void tick() {
        Instant now = clock.instant();
        expireLeases(now);
        // while the backend is away, every tick asks whether it is back (a list fails fast)
        if (backendProblem != null || Duration.between(lastSync, now).compareTo(config.syncInterval()) >= 0) {
            lastSync = now;
            syncWithBackend();
        }
        List<Runnable> work = new ArrayList<>();
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            if (backendProblem != null) {
                // nothing to plan until it answers: probes and creations would fail and count against members and
                // the image; removals are retried, so the pool recovers as soon as the backend does
                retryRemovals(work);
                return;
            }
            PoolSettings s = settings;
            List<MemberSnapshot> snapshot = members.values().stream().map(Member::snapshot).toList();
            Plan plan = planner.plan(s, snapshot, waiters.size(), now, createNotBefore);
            plan.retire().forEach((id, reason) -> retire(members.get(id), reason));
            for (String id : plan.probe()) {
                Member m = members.get(id);
                m.busy = true;
                work.add(() -> probe(m));
            }
            for (int i = 0; i < plan.create(); i++) {
                Member m = new Member(UUID.randomUUID().toString().substring(0, 8), s.specHash(), now,
                        MemberState.STARTING);
                m.busy = true;
                members.put(m.id, m);
                work.add(() -> create(m, s));
            }
            retryRemovals(work);
            maybeLogStats(now);
        } finally {
            lock.unlock();
            work.forEach(workers::execute);
        }
    }

    /** Under the lock: members whose removal failed are removed again. */
    private void retryRemovals(List<Runnable> work) {
        for (Member m : members.values()) {
            if (m.state == MemberState.TERMINATING && !m.busy) {
                m.busy = true;
                work.add(() -> destroy(m));
            }
        }
    }

    /**
     * Records a failed backend call; true when it says the backend itself is away, which the pool then reports
     * (condition, health, metrics) and waits out, instead of blaming the member or the image.
     */
    private boolean noteBackendFailure(RuntimeException e) {
        if (!(e instanceof BackendUnavailableException)) {
            return false;
        }
        if (backendProblem == null) {
            log.warn("pool {}: the {} backend does not answer, waiting for it: {}", name(), backend.kind(),
                    e.getMessage());
        }
        backendProblem = e.getMessage();
        return true;
    }

    private void noteBackendAnswered() {
        if (backendProblem != null) {
            log.info("pool {}: the {} backend answers again", name(), backend.kind());
            backendProblem = null;
        }
    }

    /** Notices members whose sandbox was killed, stopped or removed behind the pool's back. */
    private void syncWithBackend() {
        List<SandboxRef> refs;
        long listedAt = System.nanoTime();
        try {
            refs = backend.list(name());
        } catch (RuntimeException e) {
            if (!noteBackendFailure(e)) {
                log.warn("pool {}: cannot list members on {}: {}", name(), backend.kind(), e.getMessage());
            }
            return;
        }
        noteBackendAnswered();
        Set<String> running = new java.util.HashSet<>();
        refs.stream().filter(SandboxRef::running).forEach(r -> running.add(r.id()));
        lock.lock();
        try {
            for (Member m : List.copyOf(members.values())) {
                // a member created while the list was on its way is not in it, and not lost
                boolean listable = m.backendId != null && m.knownSinceNanos - listedAt < 0;
                if (listable && m.state != MemberState.TERMINATING && !running.contains(m.backendId)) {
                    log.warn("pool {}: member {} is gone or stopped ({}), replacing it", name(), m.label(), m.state);
                    endLeasesOf(m, "its sandbox " + m.label() + " was lost");
                    retire(m, RetireReason.LOST);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void create(Member m, PoolSettings s) {
        long started = System.nanoTime();
        try {
            SandboxRef ref = backend.create(s);
            boolean unwanted;
            lock.lock();
            try {
                m.backendId = ref.id();
                m.knownSinceNanos = System.nanoTime();
                m.name = ref.name();
                created.incrementAndGet();
                unwanted = m.state == MemberState.TERMINATING;
                m.busy = unwanted;
            } finally {
                lock.unlock();
            }
            if (unwanted) {
                destroy(m); // retired or stopped while it was being created
                return;
            }
            log.info("pool {}: member {} created in {} ms", name(), ref.name(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            String leftBehind = e instanceof SandboxLeftBehindException left ? left.sandboxId() : null;
            RuntimeException failure = e instanceof SandboxLeftBehindException left ? left.failure() : e;
            boolean unavailable = noteBackendFailure(failure);
            lock.lock();
            try {
                if (leftBehind != null) {
                    // the sandbox exists but could not be removed: it stays a member being removed, retried every
                    // tick, so it cannot leak
                    m.backendId = leftBehind;
                    m.knownSinceNanos = System.nanoTime();
                    m.state = MemberState.TERMINATING;
                    m.busy = false;
                } else {
                    members.remove(m.id);
                }
                if (!unavailable) {
                    // a daemon that is away says nothing about the image or the spec: that is no failed start
                    recordStartFailure(failure.getMessage());
                }
            } finally {
                lock.unlock();
            }
        }
        requestReconcile();
    }

    /** Under the lock. Counts a failed start and backs creation off exponentially, so a broken image never spins. */
    private void recordStartFailure(String reason) {
        startFailures++;
        lastStartError = reason;
        long factor = 1L << Math.min(startFailures - 1, 20);
        Duration delay = config.initialBackoff().multipliedBy(factor);
        if (delay.compareTo(config.maxBackoff()) > 0) {
            delay = config.maxBackoff();
        }
        createNotBefore = clock.instant().plus(delay);
        log.warn("pool {}: a member failed to start ({} in a row), next attempt in {} ms: {}", name(),
                startFailures, delay.toMillis(), reason);
    }

    /**
     * The spec's probe command (really runs Python), run through the member's runner: one round trip proves both. A
     * starting member gets its runner here first, so it is ready to run code the moment it is handed out.
     */
    private void probe(Member m) {
        PoolSettings s = settings;
        String failure;
        Runner opened = null;
        try {
            Runner runner = m.runner;
            if (runner == null) {
                opened = openRunner(m.backendId);
                runner = opened;
            }
            failure = runner.probe(s.probeCommand(), s.probeExpectOutput(), s.probeTimeout()).orElse(null);
        } catch (SandboxGoneException e) {
            failure = "sandbox gone";
        } catch (RuntimeException e) {
            if (noteBackendFailure(e)) {
                lock.lock();
                try {
                    m.busy = false; // not a verdict on the member: it is probed again when the backend is back
                } finally {
                    lock.unlock();
                }
                return;
            }
            failure = e.getMessage();
        }
        Instant now = clock.instant();
        lock.lock();
        try {
            if (opened != null) {
                m.runner = opened;
            }
            m.busy = false;
            m.lastProbeAt = now;
            m.lastProbeOk = failure == null;
            m.lastProbeError = failure;
            if (m.state == MemberState.TERMINATING) {
                return;
            }
            if (failure == null) {
                m.probeFailures = 0;
                if (m.state == MemberState.STARTING) {
                    startFailures = 0;
                    createNotBefore = null;
                    log.info("pool {}: member {} ready {} ms after creation", name(), m.label(),
                            Duration.between(m.createdAt, now).toMillis());
                    becomeReady(m, now);
                }
            } else if (m.state == MemberState.STARTING) {
                // the planner retires it at the start-up deadline, and that counts as a failed start
                log.debug("pool {}: member {} not healthy yet: {}", name(), m.label(), failure);
            } else {
                m.probeFailures++;
                events.probeFailed(name());
                log.warn("pool {}: member {} failed its health probe ({} of {}): {}", name(), m.label(),
                        m.probeFailures, s.probeFailureThreshold(), failure);
            }
        } finally {
            lock.unlock();
        }
        requestReconcile();
    }

    /** Cleans a released member, with retries; one that stays dirty is destroyed. */
    /** Cleans under {@link Member#use}: once calls of the lease in flight have ended; none can start after. */
    private void clean(Member m) {
        m.use.writeLock().lock();
        try {
            cleanHeld(m);
        } finally {
            m.use.writeLock().unlock();
        }
    }

    private void cleanHeld(Member m) {
        String failure = null;
        Runner runner = m.runner != null ? m.runner : new ExecRunner(backend, m.backendId);
        Runner opened = null;
        for (int attempt = 1; attempt <= config.cleanupAttempts(); attempt++) {
            try {
                if (!runner.alive()) {
                    // user code killed or broke the runner: the member is not reused, whatever state it is in
                    failure = "its runner is gone";
                    break;
                }
                failure = runner.clean().orElse(null);
                if (failure == null) {
                    if (m.runner == null) {
                        opened = openRunner(m.backendId);
                    }
                    break;
                }
            } catch (SandboxGoneException e) {
                failure = "sandbox gone";
                break;
            } catch (RuntimeException e) {
                noteBackendFailure(e);
                failure = e.getMessage();
            }
            if (stopped) {
                return; // the member was removed under the clean-up by stop()
            }
            log.warn("pool {}: cleaning member {} failed (attempt {} of {}): {}", name(), m.label(), attempt,
                    config.cleanupAttempts(), failure);
        }
        Instant now = clock.instant();
        lock.lock();
        try {
            if (opened != null) {
                m.runner = opened;
            }
            m.busy = false;
            if (m.state != MemberState.CLEANING) {
                return;
            }
            if (failure != null) {
                retire(m, RetireReason.CLEANUP_FAILED);
            } else {
                markProbed(m, now);
                becomeReady(m, now);
            }
        } finally {
            lock.unlock();
        }
        requestReconcile();
    }

    /** Under the lock: a clean-up through the runner was a Python round trip in the sandbox, as good as a probe. */
    private static void markProbed(Member m, Instant now) {
        m.lastProbeAt = now;
        m.lastProbeOk = true;
        m.probeFailures = 0;
    }

    /** The persistent runner when the backend can hold one, else one exec per request. */
    private Runner openRunner(String backendId) {
        Optional<RunnerSession> session = RunnerSession.open(backend, backendId);
        return session.<Runner>map(r -> r).orElseGet(() -> new ExecRunner(backend, backendId));
    }

    /** Under the lock: the first waiter gets the member, or it joins the ready set. */
    private void becomeReady(Member m, Instant now) {
        m.readySince = now;
        m.state = MemberState.READY;
        while (!waiters.isEmpty()) {
            CompletableFuture<Member> w = waiters.pollFirst();
            markLeased(m);
            if (w.complete(m)) {
                return;
            }
            m.state = MemberState.READY;
        }
    }

    private void markLeased(Member m) {
        m.state = MemberState.LEASED;
    }

    /**
     * Under the lock: the most recently readied member, which keeps the others idle so idle shrinking can retire
     * them. A ready member whose runner ended (its sandbox died: a daemon restart, an OOM kill) is never handed out;
     * it is replaced.
     */
    private Member newestReady() {
        Member newest = null;
        // one pass, no copy: this is every acquire's path. retire() changes the state only; the map loses the member
        // later, under this lock, when its removal reports back
        for (Member m : members.values()) {
            if (m.state != MemberState.READY) {
                continue;
            }
            if (m.runner != null && !m.runner.alive()) {
                log.warn("pool {}: ready member {} lost its runner, replacing it", name(), m.label());
                retire(m, RetireReason.LOST);
            } else if (newest == null || m.readySince.isAfter(newest.readySince)) {
                newest = m;
            }
        }
        return newest;
    }

    /** Under the lock. */
    private void retire(Member m, RetireReason reason) {
        if (m == null || m.state == MemberState.TERMINATING) {
            return;
        }
        if (reason == RetireReason.STARTUP_TIMEOUT) {
            recordStartFailure("member " + m.label() + " not healthy within " + config.startupTimeout().toSeconds()
                    + " s" + (m.lastProbeError == null ? "" : ": " + m.lastProbeError));
        }
        log.info("pool {}: retiring member {} ({}, {} uses, age {} s)", name(), m.label(), reason, m.uses,
                Duration.between(m.createdAt, clock.instant()).toSeconds());
        retiredBy.get(reason).incrementAndGet();
        events.memberRetired(name(), m.label(), reason);
        m.state = MemberState.TERMINATING;
        if (!m.busy) {
            m.busy = true;
            workers.execute(() -> destroy(m));
        }
        // a busy member (being created, probed or cleaned) is destroyed when that call reports back
    }

    /** Removes the member's sandbox; one that cannot be removed stays TERMINATING and is tried again next tick. */
    private void destroy(Member m) {
        boolean gone = true;
        try {
            if (m.runner != null) {
                m.runner.close();
            }
            if (m.backendId != null) {
                backend.destroy(m.backendId);
            }
        } catch (RuntimeException e) {
            gone = false;
            if (!noteBackendFailure(e)) {
                log.warn("pool {}: cannot remove member {}, retrying: {}", name(), m.label(), e.getMessage());
            }
        }
        lock.lock();
        try {
            m.busy = false;
            if (gone) {
                members.remove(m.id);
            }
        } finally {
            lock.unlock();
        }
        requestReconcile();
    }

    /**
     * Removes every member an earlier run of this pool left. None is adopted: the earlier run may have ended while a
     * lease ran code there, whose processes would still be waiting for the next tenant; only a fresh container
     * guarantees that no process but the ones this pool starts runs in a member (docs/isolation.md). Members of
     * another instance that still runs (a second process with a pool of the same name) are left alone.
     */
    private void removeLeftovers(PoolSettings s) {
        List<SandboxRef> found;
        try {
            found = backend.list(s.name());
        } catch (BackendException e) {
            log.warn("pool {}: cannot look for members left by an earlier run: {}", name(), e.getMessage());
            return;
        }
        List<SandboxRef> leftovers = found.stream().filter(Leftovers::removable).toList();
        if (leftovers.size() < found.size()) {
            log.info("pool {}: leaving {} member(s) of another running instance with a pool of this name alone",
                    name(), found.size() - leftovers.size());
        }
        lock.lock();
        try {
            for (SandboxRef ref : leftovers) {
                Member m = new Member(UUID.randomUUID().toString().substring(0, 8), ref.specHash(), ref.createdAt(),
                        MemberState.TERMINATING);
                m.backendId = ref.id();
                m.knownSinceNanos = System.nanoTime();
                m.name = ref.name();
                m.busy = true;
                members.put(m.id, m);
                log.info("pool {}: removing member {} left by an earlier run", name(), ref.name());
                retiredBy.get(RetireReason.ORPHANED).incrementAndGet();
                workers.execute(() -> destroy(m));
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- status -----------------------------------------------------------------------------------------------

    @Override
    public PoolStats stats() {
        Instant now = clock.instant();
        lock.lock();
        try {
            PoolSettings s = settings;
            Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
            for (MemberState st : MemberState.values()) {
                counts.put(st, 0);
            }
            List<MemberInfo> infos = new ArrayList<>();
            for (Member m : members.values()) {
                counts.merge(m.state, 1, Integer::sum);
                infos.add(new MemberInfo(m.id, m.name, m.state, m.uses,
                        Duration.between(m.createdAt, now).toSeconds(), m.lastProbeAt, m.lastProbeOk,
                        m.lastProbeError));
            }
            int terminating = counts.get(MemberState.TERMINATING);
            int starting = counts.get(MemberState.STARTING) + counts.get(MemberState.CLEANING);
            int replicas = members.size() - terminating;
            var inputs = new PoolConditions.Inputs(s.minSize(), s.maxSize(), replicas, counts.get(MemberState.READY),
                    counts.get(MemberState.LEASED), counts.get(MemberState.CLEANING),
                    counts.get(MemberState.STARTING), terminating,
                    waiters.size(), startFailures,
                    lastStartError, backendProblem);
            long retired = retiredBy.values().stream().mapToLong(AtomicLong::get).sum();
            return new PoolStats(s.name(), backend.kind(), s.image(), s.minSize(), s.maxSize(), replicas,
                    counts.get(MemberState.READY), counts.get(MemberState.LEASED), starting, terminating,
                    waiters.size(), executions.get(), created.get(), retired, startFailures, lastStartError,
                    createNotBefore, infos, conditions.update(inputs, now), inputs.backendProblem());
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    private void maybeLogStats(Instant now) {
        if (Duration.between(lastStatsLog, now).compareTo(config.statsLogInterval()) < 0) {
            return;
        }
        lastStatsLog = now;
        long ready = members.values().stream().filter(m -> m.state == MemberState.READY).count();
        long leased = members.values().stream().filter(m -> m.state == MemberState.LEASED).count();
        log.info("pool {}: {} members ({} ready, {} leased), {} waiting, {} executions, {} created, {} retired",
                name(), members.size(), ready, leased, waiters.size(), executions.get(), created.get(),
                retiredBy.values().stream().mapToLong(AtomicLong::get).sum());
    }

    private Duration retryAfter() {
        return Duration.ofSeconds(1);
    }

    // ---- shutdown ---------------------------------------------------------------------------------------------

    /** Stops handing out members, fails waiting callers, and removes every member. Waits for the removals. */
    public void stop() {
        List<Member> all;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            waiters.forEach(w -> w.completeExceptionally(new PoolStoppedException(name())));
            waiters.clear();
            leases.keySet().forEach(id -> ended.put(id, "the pool stopped"));
            leases.clear();
            all = List.copyOf(members.values());
            all.forEach(m -> m.state = MemberState.TERMINATING);
        } finally {
            lock.unlock();
        }
        scheduler.shutdownNow();
        log.info("pool {}: stopping, removing {} members", name(), all.size());
        List<CompletableFuture<Void>> removals = all.stream()
                .filter(m -> m.backendId != null)
                .map(m -> CompletableFuture.runAsync(() -> backend.destroy(m.backendId), workers)
                        .exceptionally(e -> {
                            log.warn("pool {}: cannot remove member {}: {}", name(), m.label(), e.getMessage());
                            return null;
                        }))
                .toList();
        CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
        // creations still under way finish into TERMINATING and remove themselves; wait for them briefly
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("pool {}: backend calls still running after 30 s", name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retiredBy.get(RetireReason.SHUTDOWN).addAndGet(all.size());
        log.info("pool {}: stopped", name());
    }
}
