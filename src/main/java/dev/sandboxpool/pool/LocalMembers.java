package dev.sandboxpool.pool;

import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.BackendUnavailableException;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.backend.SandboxGoneException;
import dev.sandboxpool.backend.SandboxLeftBehindException;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.execution.CleanUp;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of one local pool and the loop that keeps them at the pool's shape: the {@link Planner}'s actions
 * applied through the {@link SandboxBackend} (create, probe, clean, retire), members lost behind the pool's back
 * noticed, leftovers of an earlier run removed, status reported. Leases on the members are the {@link
 * InMemoryLeaseStore}'s, which this class gives its members to.
 *
 * <p>State changes happen under one lock and are quick; every backend call (create, exec, destroy) runs outside it
 * on the pool's worker threads, and reports back under the lock. A member a call is working on is {@code busy}, so
 * the planner never starts a second action on it.
 *
 * <p>Longer than most classes here: it is one state machine over one lock (create, probe, clean, retire, sync), and
 * splitting it would spread that lock across classes.
 */
final class LocalMembers {
    private static final Logger log = LoggerFactory.getLogger(LocalMembers.class);

    private final SandboxBackend backend;
    private final PoolEngineConfig config;
    private final Clock clock;
    private final Planner planner;
    private final PoolConditions conditions = new PoolConditions();
    /** The one lock of the pool's state, also the lease store's. */
    final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Map<RetireReason, AtomicLong> retiredBy = new EnumMap<>(RetireReason.class);
    private final AtomicLong created = new AtomicLong();
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final InMemoryLeaseStore leases;
    private LeaseStore.Engine engine;
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

    LocalMembers(PoolSettings settings, SandboxBackend backend, PoolEngineConfig config, Clock clock,
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
        this.leases = new InMemoryLeaseStore(this, clock);
    }

    /** The store of this pool's leases. */
    InMemoryLeaseStore leases() {
        return leases;
    }

    void bind(LeaseStore.Engine engine) {
        this.engine = engine;
    }

    String name() {
        return settings.name();
    }

    PoolSettings settings() {
        return settings;
    }

    PoolEvents events() {
        return events;
    }

    /** Adopts or removes what an earlier run left, then starts warming and the periodic loop. */
    void start() {
        PoolSettings s = settings;
        log.info("pool {}: starting on {} (image {}, minSize {}, maxSize {}, reuse {})", s.name(), backend.kind(),
                s.image(), s.minSize(), s.maxSize(), s.reusePolicy());
        removeLeftovers(s);
        lastStatsLog = clock.instant();
        scheduler.scheduleWithFixedDelay(this::tickSafely, 0, config.tickInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A new spec for this pool: sizes apply at once, members of an older shape are replaced when idle. */
    void update(PoolSettings newSettings) {
        PoolSettings old = settings;
        settings = newSettings;
        if (!old.equals(newSettings)) {
            log.info("pool {}: spec updated (minSize {}, maxSize {}, spec hash {} -> {})", name(),
                    newSettings.minSize(), newSettings.maxSize(), old.specHash(), newSettings.specHash());
            requestReconcile();
        }
    }

    // ---- members for leases (called by the lease store) -----------------------------------------------------------

    /**
     * Under the lock: the newest ready member, now leased; null when none is ready.
     *
     * @throws PoolStoppedException when the pool is stopping
     * @throws PoolUnavailableException when the backend does not answer
     */
    Member takeReady() {
        if (stopped) {
            throw new PoolStoppedException(name());
        }
        String away = backendProblem;
        if (away != null) {
            throw new PoolUnavailableException(name(), away);
        }
        Member ready = newestReady();
        if (ready != null) {
            ready.state = MemberState.LEASED;
        }
        return ready;
    }

    /** Under the lock: the member while it is leased. */
    Member leased(String memberId) {
        Member m = members.get(memberId);
        return m != null && m.state == MemberState.LEASED ? m : null;
    }

    /** Without the lock: a member, whatever its state. */
    Member member(String memberId) {
        lock.lock();
        try {
            return members.get(memberId);
        } finally {
            lock.unlock();
        }
    }

    /** The member's runner, or one exec per request when it holds none. */
    Runner runnerOf(Member m) {
        return m.runner != null ? m.runner : new ExecRunner(backend, m.backendId);
    }

    /**
     * A lease ended: its member is recycled, or destroyed as the planner decides; {@code forced} destroys it whatever
     * the spec says (its lease expired while code ran in it). {@code touched}: code ran under the lease; {@code
     * clean}: the last execution's runner request cleaned the sandbox.
     */
    void returned(String memberId, boolean touched, boolean damaged, boolean clean, RetireReason forced) {
        Member cleaning = null;
        lock.lock();
        try {
            Member m = members.get(memberId);
            if (m == null || m.state != MemberState.LEASED) {
                return; // lost while leased: already being replaced
            }
            Instant now = clock.instant();
            boolean untouched = forced == null && !touched;
            boolean alreadyClean = forced == null && clean && !damaged;
            ReleaseDecision decision = forced != null ? new ReleaseDecision(forced)
                    : untouched ? planner.afterUntouchedRelease(settings, m.snapshot(), now)
                    : planner.afterRelease(settings, m.snapshot(), damaged, now);
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
            stats(engine.waiting(), 0);
        } catch (RuntimeException e) {
            log.error("pool {}: reconcile failed, retrying on the next tick", name(), e);
        }
    }

    private void tick() {
        Instant now = clock.instant();
        leases.expire(now);
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
            Plan plan = planner.plan(s, snapshot, engine.waiting(), now, createNotBefore);
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
    boolean noteBackendFailure(RuntimeException e) {
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
                    leases.memberLost(m.id, "its sandbox " + m.label() + " was lost");
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
                opened = CleanUp.open(backend, m.backendId);
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
        Runner runner = m.runner != null ? m.runner : new ExecRunner(backend, m.backendId);
        String failure = CleanUp.run(m.label(), runner, config.cleanupAttempts(), this::noteBackendFailure)
                .orElse(null);
        if (stopped) {
            return; // the member was removed under the clean-up by stop()
        }
        Runner opened = failure == null && m.runner == null ? CleanUp.open(backend, m.backendId) : null;
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


    /** Under the lock: the member joins the ready set, and the line of waiting callers is served. */
    private void becomeReady(Member m, Instant now) {
        m.readySince = now;
        m.state = MemberState.READY;
        engine.claimable();
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

    PoolStats stats(int waiting, long executions) {
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
                    waiting, startFailures,
                    lastStartError, backendProblem);
            long retired = retiredBy.values().stream().mapToLong(AtomicLong::get).sum();
            return new PoolStats(s.name(), backend.kind(), s.image(), s.minSize(), s.maxSize(), replicas,
                    counts.get(MemberState.READY), counts.get(MemberState.LEASED), starting, terminating,
                    waiting, executions, created.get(), retired, startFailures, lastStartError,
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
        log.info("pool {}: {} members ({} ready, {} leased), {} waiting, {} created, {} retired",
                name(), members.size(), ready, leased, engine.waiting(), created.get(),
                retiredBy.values().stream().mapToLong(AtomicLong::get).sum());
    }

    // ---- shutdown ---------------------------------------------------------------------------------------------

    /** Stops handing out members, fails waiting callers, and removes every member. Waits for the removals. */
    void stop() {
        List<Member> all;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            leases.stopped();
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
