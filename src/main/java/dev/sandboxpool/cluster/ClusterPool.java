package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.kubernetes.KubernetesBackend;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.MemberRecycler;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.backend.kubernetes.PodState;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.execution.RunnerFailedException;
import dev.sandboxpool.execution.RunnerOutcome;
import dev.sandboxpool.pool.Futures;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseIds;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.NoSandboxAvailableException;
import dev.sandboxpool.pool.Planner;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.PoolStats;
import dev.sandboxpool.pool.PoolStoppedException;
import dev.sandboxpool.pool.TooManyWaitingException;
import dev.sandboxpool.pool.ReleaseDecision;
import dev.sandboxpool.pool.RetireReason;
import dev.sandboxpool.sandbox.LeaseChannel;
import dev.sandboxpool.sandbox.RunnerSandboxOps;
import dev.sandboxpool.sandbox.SandboxOpException;
import dev.sandboxpool.sandbox.SandboxOps;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SandboxPool as the lease API serves it in a cluster. Lease state lives on the member pods (see
 * {@link PodEdits}), written only by compare-and-set, so any number of lease API replicas serve one pool without
 * ever handing one pod to two leases, and a restarted replica loses no lease: every call finds the lease on its
 * pod. The operator creates and retires members and reclaims expired leases; this class only claims, renews,
 * executes in and releases.
 *
 * <p>Callers of one process wait first come, first served: one dispatcher thread claims pods for the waiters in
 * order, when a pod turns idle and once a second, and publishes their number for the operator ({@link Demand}).
 */
public final class ClusterPool implements Pool {
    private static final Logger log = LoggerFactory.getLogger(ClusterPool.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    /** Longest a caller waits for the dispatcher's first look, whatever its own wait. */
    private static final Duration FIRST_LOOK = Duration.ofSeconds(5);
    /** A release waits this much beyond the longest execution for one of its lease that is under way. */
    private static final Duration RELEASE_WAIT_MARGIN = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final MemberCache members;
    private final Clock clock;
    private final String replica;
    /** Where peers forward this replica's leases' sandbox calls; null when unknown (see {@link Replica}). */
    private final String replicaAddress;
    private final PoolEvents events;
    private final ScheduledExecutorService dispatcher;
    private final ExecutorService cleaners;
    private final Executor leaseCalls;
    private final PodCas cas;
    private final DemandSignal demand;
    /** afterRelease only: the start-up timeout plays no part in it. */
    private final Planner planner = new Planner(Duration.ZERO);
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    /** Pod versions this process claimed or lost a race for: the informer's copy of them is stale. */
    private final Set<String> spent = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            }));
    /** One execution per lease in this process; a release waits for it. */
    private final LeaseGates gates = new LeaseGates();
    private final AtomicLong executions = new AtomicLong();
    /** See {@link Claim}. */
    private final Map<String, Claim> claimedHere = new ConcurrentHashMap<>();
    /**
     * Executions of each lease run through this process and not yet written on its pod: the write that ends the
     * lease adds them to the pod's count. Bounded, least recently used first out, for leases that ended elsewhere
     * (reclaimed by the operator, released through another replica): their counts here are lost.
     */
    private final Map<String, Long> unwrittenExecutions = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 10_000;
                }
            });
    private final ClusterRunners runners;

    private volatile SandboxPool resource;
    private volatile PoolSettings settings;
    private volatile boolean stopped;

    /**
     * @param members this pool's pods, from an informer's cache
     * @param replica this process, written on the pods it leases (and its name on its demand annotation)
     * @param dispatcher one thread of this pool's own: waiting callers are served in order there
     * @param cleaners runs clean-ups of released members
     * @param leaseCalls runs lease lookups, renewals and releases (see {@link #leaseCalls()})
     */
    public ClusterPool(SandboxPool resource, PoolSettings settings, KubernetesClient client,
            MemberCache members, Clock clock, Replica replica, PoolEvents events,
            ScheduledExecutorService dispatcher, ExecutorService cleaners, Executor leaseCalls) {
        this.resource = resource;
        this.settings = settings;
        this.client = client;
        this.members = members;
        this.clock = clock;
        this.replica = replica.name();
        this.replicaAddress = replica.address();
        this.events = events;
        this.dispatcher = dispatcher;
        this.cleaners = cleaners;
        this.leaseCalls = leaseCalls;
        this.cas = new PodCas(client);
        this.demand = new DemandSignal(client, namespace(), name(), replica.name(), clock);
        this.runners = new ClusterRunners(new KubernetesBackend(client, resource, clock));
    }

    /** Starts serving waiting callers once a second besides pod events. */
    ClusterPool start() {
        dispatcher.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public String name() {
        return resource.getMetadata().getName();
    }

    public String namespace() {
        return resource.getMetadata().getNamespace();
    }

    /** How lease ids name this pool: {@code <namespace>.<name>}, which the registry always finds. */
    private String ref() {
        return namespace() + "." + name();
    }

    @Override
    public PoolSettings settings() {
        return settings;
    }

    /** The SandboxPool changed: a valid spec applies at once; an invalid one is ignored, the last valid one stays. */
    void update(SandboxPool newer) {
        resource = newer;
        try {
            settings = PoolSpecValidator.validate(newer.getMetadata().getName(), newer.getSpec());
        } catch (InvalidSpecException e) {
            log.warn("pool {}/{}: spec invalid, serving with the last valid one: {}", namespace(), name(),
                    e.getMessage());
        }
    }

    /** A member pod changed: a waiting caller may be served now. */
    void membersChanged() {
        if (hasWaiters()) {
            dispatchSoon();
        }
    }

    // ---- acquire ------------------------------------------------------------------------------------------------

    /**
     * Waiting holds no thread: the caller is a future in the line, completed by the dispatcher when it claims a pod
     * for it. When the wait ends before the dispatcher looked for a pod even once (a zero or short wait), it still
     * gets that first look, as local mode's would, up to {@link #FIRST_LOOK}.
     */
    @Override
    public CompletableFuture<Lease> acquireAsync(Duration maxWait, Duration ttl) {
        Waiter w = new Waiter(LeaseIds.newToken(), ttl);
        synchronized (waiters) {
            if (stopped) {
                return CompletableFuture.failedFuture(new PoolStoppedException(name()));
            }
            int limit = settings().maxWaiting();
            if (waiters.size() >= limit && !maxWait.isZero()) {
                return CompletableFuture.failedFuture(new TooManyWaitingException(name(), limit));
            }
            waiters.addLast(w);
        }
        CompletableFuture<Lease> result = new CompletableFuture<>();
        w.claimed.whenComplete((pod, failure) -> {
            if (pod != null) {
                MemberPod claimed = new MemberPod(pod);
                // remembered before the caller has the lease: its first call may come at once, on another thread
                claimedHere.put(w.token, new Claim(claimed.name(), clock.instant()));
                Lease lease = leaseFor(w, claimed);
                if (result.complete(lease)) {
                    events.acquired(name(), lease.waitedMs(), w.warm);
                    log.debug("pool {}/{}: lease {} on {} after {} ms", namespace(), name(), lease.id(),
                            claimed.name(), lease.waitedMs());
                } else {
                    // claimed for a caller that went away meanwhile: neither counted nor remembered
                    claimedHere.remove(w.token);
                    giveBack(pod, w.token);
                }
            } else if (!(failure instanceof CancellationException)) {
                result.completeExceptionally(new PoolStoppedException(name()));
            }
        });
        result.whenComplete((lease, failure) -> {
            if (result.isCancelled() && w.claimed.cancel(false)) {
                dispatchSoon(); // the dispatcher drops the cancelled waiter and publishes the new count
            }
        });
        // the JDK's timer; completing the wait early (a pod claimed) cancels it, so served callers leave no timer
        CompletableFuture<Void> waitEnds = new CompletableFuture<Void>()
                .completeOnTimeout(null, maxWait.toMillis(), TimeUnit.MILLISECONDS);
        w.claimed.whenComplete((pod, failure) -> waitEnds.cancel(false));
        waitEnds.thenRun(() -> w.tried.orTimeout(FIRST_LOOK.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((looked, timeout) -> {
                    if (w.claimed.cancel(false)) {
                        dispatchSoon();
                        result.completeExceptionally(new NoSandboxAvailableException(name(), maxWait, TICK));
                    }
                }));
        dispatchSoon();
        return result;
    }

    private Lease leaseFor(Waiter w, MemberPod claimed) {
        long waitedMs = (System.nanoTime() - w.startedNanos) / 1_000_000;
        return new Lease(LeaseIds.of(ref(), w.token), name(), claimed.name(), claimed.stateSince(),
                claimed.leaseExpiresAt(), waitedMs, w.warm);
    }

    /** Renewals and releases read and write pods, and a release waits for an execution under way: not inline. */
    @Override
    public Executor leaseCalls() {
        return leaseCalls;
    }

    private boolean hasWaiters() {
        synchronized (waiters) {
            return !waiters.isEmpty();
        }
    }

    private void dispatchSoon() {
        if (dispatchQueued.compareAndSet(false, true)) {
            dispatcher.execute(this::serveWaiters);
        }
    }

    private void tick() {
        runners.retainOnly(members.all().stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toSet()));
        Instant bridged = clock.instant().minus(CLAIM_BRIDGE);
        claimedHere.values().removeIf(c -> c.at().isBefore(bridged));
        if (hasWaiters()) {
            serveWaiters();
        } else {
            demand.publish(0);
        }
    }

    /** Dispatcher thread: claims pods for waiters in order until none is left, or no pod is free. */
    private void serveWaiters() {
        dispatchQueued.set(false);
        try {
            while (true) {
                Waiter head;
                synchronized (waiters) {
                    head = waiters.peekFirst();
                    if (head != null && head.claimed.isDone()) {
                        waiters.pollFirst(); // cancelled: its caller gave up
                        continue;
                    }
                }
                if (head == null) {
                    break;
                }
                Optional<Pod> pod = claimFor(head);
                if (pod.isEmpty()) {
                    head.warm = false;
                    break;
                }
                synchronized (waiters) {
                    waiters.remove(head);
                }
                if (!head.claimed.complete(pod.get())) {
                    giveBack(pod.get(), head.token);
                }
            }
        } catch (RuntimeException e) {
            // the tick retries within a second
            log.warn("pool {}/{}: cannot claim a member: {}", namespace(), name(), e.getMessage());
        }
        int count;
        synchronized (waiters) {
            count = waiters.size();
            // nobody still waiting can be served before the first in line, and that one got no pod now
            waiters.forEach(w -> w.tried.complete(null));
        }
        demand.publish(count);
    }

    /**
     * Idle members in this replica's {@link ClaimOrder}. A claim of an earlier attempt for the same waiter whose
     * outcome was never known (the write failed, then was applied) shows in the cache: that pod is the waiter's, and
     * no second one is claimed.
     */
    private Optional<Pod> claimFor(Waiter w) {
        Optional<Pod> already = members.leasedTo(w.token).stream().filter(p -> holds(w.token).test(new MemberPod(p)))
                .findFirst();
        if (already.isPresent()) {
            return already;
        }
        String hash = settings.specHash();
        List<Pod> candidates = members.all().stream()
                .filter(p -> !spent.contains(version(p)))
                .filter(p -> {
                    MemberPod m = new MemberPod(p);
                    return m.claimable() && hash.equals(m.specHash());
                })
                .sorted(ClaimOrder.comparator(replica, (Pod p) -> p.getMetadata().getName()))
                .toList();
        for (Pod candidate : candidates) {
            spent.add(version(candidate));
            Instant now = clock.instant();
            Optional<Pod> claimed = cas.update(candidate, m -> m.claimable() && hash.equals(m.specHash()),
                    p -> PodEdits.claim(p, w.token, now, now.plus(w.ttl), replica,
                            replicaAddress));
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    /** A pod claimed for a caller that had gone: no code ran in it, so it is idle again at once. */
    private void giveBack(Pod pod, String token) {
        cas.update(pod, holds(token), p -> PodEdits.toIdle(p, clock.instant()));
    }

    private static String version(Pod p) {
        return p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion();
    }

    // ---- one lease ----------------------------------------------------------------------------------------------

    @Override
    public Optional<Lease> lease(String leaseId) {
        return find(leaseId).filter(m -> m.leaseExpiresAt().isAfter(clock.instant())).map(m -> leaseOf(m, leaseId));
    }

    @Override
    public Optional<String> whyEnded(String leaseId) {
        Optional<String> token = LeaseIds.token(leaseId, ref());
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<MemberPod> holder = find(leaseId);
        if (holder.isPresent()) {
            return holder.filter(m -> !notExpired(m)).map(m -> "not renewed before " + m.leaseExpiresAt());
        }
        List<Pod> noted = members.endedLease(token.get());
        if (noted.isEmpty()) {
            noted = fromWatchCache(MemberPod.ENDED_LEASE, token.get());
        }
        return noted.stream().map(p -> new MemberPod(p).whyEnded(token.get())).flatMap(Optional::stream).findFirst();
    }

    @Override
    public Lease renew(String leaseId, Duration ttl) {
        MemberPod m = current(leaseId);
        Instant expiresAt = clock.instant().plus(ttl);
        return cas.update(m.pod(), sameLease(leaseId).and(this::notExpired), p -> PodEdits.renew(p, expiresAt))
                .map(p -> leaseOf(new MemberPod(p), leaseId))
                .orElseThrow(() -> ended(leaseId));
    }

    @Override
    public ExecutionResult execute(String leaseId, ExecutionRequest request) {
        return execute(leaseId, request, false, null, Cancellation.NONE).result();
    }

    @Override
    public ExecutionResult execute(String leaseId, ExecutionRequest request, SandboxOps.OutputListener output,
            Cancellation cancellation) {
        return execute(leaseId, request, false, output, cancellation).result();
    }

    /**
     * A one-shot execution: the runner cleans up in the same round trip, so the release writes the pod straight back
     * to idle (one update of the pod instead of two, and no second round trip).
     */
    @Override
    public Execution runOnce(ExecutionRequest request, Duration maxWait) {
        return runLeasedOnce(acquire(maxWait, request.timeout().plus(ONE_SHOT_TTL_MARGIN)), request);
    }

    /** {@link #runOnce} waiting for its pod without a thread; the code runs on {@code codeRunner}. */
    @Override
    public CompletableFuture<Execution> runOnceAsync(ExecutionRequest request, Duration maxWait,
            Executor codeRunner) {
        return Futures.thenOn(acquireAsync(maxWait, request.timeout().plus(ONE_SHOT_TTL_MARGIN)), codeRunner,
                lease -> runLeasedOnce(lease, request));
    }

    private Execution runLeasedOnce(Lease lease, ExecutionRequest request) {
        boolean cleaned = false;
        try {
            // a single-use pod is deleted after its lease: cleaning it first would be wasted
            RunnerOutcome outcome = execute(lease.id(), request, settings.reusePolicy() == ReusePolicy.Recycle, null,
                    Cancellation.NONE);
            cleaned = outcome.cleaned();
            return new Execution(lease, outcome.result());
        } finally {
            release(lease.id(), cleaned);
        }
    }

    /** {@code output} null: nothing streamed, the runner's plain run (a one-shot's run-and-clean, or a lease's). */
    private RunnerOutcome execute(String leaseId, ExecutionRequest request, boolean lastOfLease,
            SandboxOps.OutputListener output, Cancellation cancellation) {
        gates.executionBegins(leaseId);
        try {
            MemberPod m = current(leaseId);
            executions.incrementAndGet();
            unwrittenExecutions.merge(leaseId, 1L, Long::sum);
            ExecutionResult result;
            boolean damaged;
            boolean cleaned = false;
            try {
                // this replica's persistent runner in the pod: one exec stream, opened at its first execution there
                ClusterRunners.Attached attached = runners.forExecution(m.name(), leaseId);
                if (attached.fresh()) {
                    // A release through another replica may have cleaned while this runner was starting: read the
                    // pod again now that it runs. Still leased: that release's clean-up comes later and ends this
                    // runner with every other process. Not: nothing is sent to it.
                    current(leaseId);
                }
                Runner runner = attached.runner();
                RunnerOutcome outcome = lastOfLease ? runner.runAndClean(request, settings.maxOutputBytes())
                        : output == null ? runner.run(request, settings.maxOutputBytes())
                        : runner.run(request, settings.maxOutputBytes(),
                                event -> SandboxOps.OutputListener.deliver(event, output), cancellation);
                result = outcome.result();
                damaged = outcome.damaged();
                cleaned = outcome.cleaned();
            } catch (BackendException e) {
                result = ExecutionResult.sandboxFailed("the sandbox failed: " + e.getMessage(), 0, false);
                damaged = true;
            }
            if (damaged) {
                log.warn("pool {}/{}: pod {} failed during an execution and will be replaced: {}", namespace(),
                        name(), m.name(), result.error());
                markDamaged(m.name(), leaseId);
            }
            events.executed(name(), m.name(), result);
            log.info("pool {}/{}: execution on {}: ran {} ms, exit {}{}{}", namespace(), name(), m.name(),
                    result.durationMs(), result.exitCode(), result.timedOut() ? ", timed out" : "",
                    result.truncated() ? ", output truncated" : "");
            return new RunnerOutcome(result, damaged, cleaned && !damaged);
        } finally {
            gates.executionEnded(leaseId);
        }
    }

    private void markDamaged(String pod, String leaseId) {
        cas.update(live(pod), sameLease(leaseId), PodEdits::markDamaged);
    }

    /**
     * The lease's files, commands and contexts, through this replica's runner in its pod. They live in that runner,
     * so a lease's calls must all reach the replica that holds it: {@link #holderAddress} tells the HTTP layer where
     * to forward them.
     */
    @Override
    public SandboxOps sandbox(String leaseId) {
        // the cache's word is enough here: every call reads the pod from the API server before it acts
        find(leaseId).orElseThrow(() -> new LeaseNotActiveException(leaseId));
        return new RunnerSandboxOps(LeaseChannel.of((request, deadline, events) -> callUnderLease(leaseId, request,
                deadline, events), nonce -> cancelUnderLease(leaseId, nonce)), settings.maxOutputBytes(),
                settings.maxTimeout());
    }

    /**
     * A cancel names one request's nonce, so it can stop nothing else; it goes to this replica's runner in the
     * lease's pod (the one its calls use) while the lease holds the pod by this replica's cache, and needs no gate:
     * it must overtake the call it stops.
     */
    private void cancelUnderLease(String leaseId, String nonce) {
        find(leaseId).ifPresent(m -> runners.held(m.name(), leaseId).ifPresent(r -> r.cancel(nonce)));
    }

    /**
     * A request of a lease's files, commands or contexts, fenced by the lease: a release (here) waits for it, and one
     * through another replica cleans the pod, which ends this runner with every other process.
     */
    private JsonNode callUnderLease(String leaseId, Map<String, Object> request, Duration deadline,
            Consumer<JsonNode> events) {
        gates.callBegins(leaseId);
        String pod = null;
        try {
            MemberPod m = current(leaseId);
            pod = m.name();
            ClusterRunners.Attached attached = runners.forExecution(pod, leaseId);
            if (!attached.holdsState()) {
                throw new SandboxOpException(SandboxOpException.Kind.UNSUPPORTED, "lease", "the runner in pod " + pod
                        + " cannot stay attached between requests, so it cannot hold files, commands or contexts");
            }
            if (attached.fresh()) {
                current(leaseId);  // as for an execution: a clean-up through another replica may have begun
            }
            JsonNode answer = attached.runner().call(request, deadline, events);
            if (answer.hasNonNull("error")) {
                markDamaged(pod, leaseId);
            }
            return answer;
        } catch (RunnerFailedException | BackendException e) {
            if (pod != null) {
                log.warn("pool {}/{}: pod {} failed during a lease's call and will be replaced: {}", namespace(),
                        name(), pod, e.getMessage());
                markDamaged(pod, leaseId);
            }
            throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "lease", "the sandbox failed: "
                    + e.getMessage());
        } finally {
            gates.callEnded(leaseId);
        }
    }

    /**
     * The address of the replica that holds the lease when it is another one ({@code host:port}, written at the
     * claim): the lease's files, commands and contexts live in that replica's runner.
     */
    @Override
    public Optional<String> holderAddress(String leaseId) {
        return find(leaseId).filter(m -> !replica.equals(m.leaseHolder()))
                .flatMap(MemberPod::leaseHolderAddress);
    }

    @Override
    public void release(String leaseId) {
        release(leaseId, false);
    }

    /** {@code alreadyClean}: the last execution's runner request cleaned the sandbox before it answered. */
    private void release(String leaseId, boolean alreadyClean) {
        gates.releaseBegins(leaseId, settings.maxTimeout().plus(RELEASE_WAIT_MARGIN));
        try {
            releaseNow(leaseId, alreadyClean);
        } finally {
            // written with the release, or lost with a lease that ended otherwise: never counted twice
            unwrittenExecutions.remove(leaseId);
            LeaseIds.token(leaseId, ref()).ifPresent(claimedHere::remove);
            gates.releaseEnded(leaseId);
        }
    }

    private void releaseNow(String leaseId, boolean alreadyClean) {
        MemberPod m = current(leaseId);
        MemberSnapshot snapshot = new MemberSnapshot(m.name(), MemberState.LEASED, m.specHash(), m.createdAt(), null,
                m.uses(), null, 0, false);
        boolean damaged = m.damaged() || runners.killedDuring(m.name(), leaseId);
        ReleaseDecision decision = planner.afterRelease(settings, snapshot, damaged, clock.instant());
        KubernetesBackend backend = new KubernetesBackend(client, resource, clock);
        MemberRecycler recycler = MemberRecycler.retiringOnly(backend, cas, clock);
        long ran = unwrittenExecutions.getOrDefault(leaseId, 0L);
        UnaryOperator<Pod> counted = p -> PodEdits.addExecutions(p, ran);
        if (!decision.recycle()) {
            if (!recycler.retire(m.pod(), sameLease(leaseId), counted)) {
                throw ended(leaseId);
            }
            log.info("pool {}/{}: pod {} retired after its lease, the operator deletes it ({}, {} uses)",
                    namespace(), name(), m.name(), decision.destroyBecause(), m.uses());
            events.memberRetired(name(), m.name(), decision.destroyBecause());
            return;
        }
        if (alreadyClean) {
            cas.update(m.pod(), sameLease(leaseId), p -> counted.apply(PodEdits.toIdle(p, clock.instant())))
                    .orElseThrow(() -> ended(leaseId));
            return;
        }
        Pod cleaning = cas.update(m.pod(), sameLease(leaseId),
                        p -> counted.apply(PodEdits.toCleaning(p, clock.instant())))
                .orElseThrow(() -> ended(leaseId));
        cleaners.execute(() -> {
            MemberRecycler.Outcome outcome = recycler.recycle(cleaning, runners.forCleanup(m.name(), leaseId));
            log.debug("pool {}/{}: pod {} after lease {}: {}", namespace(), name(), m.name(), leaseId, outcome);
            if (outcome == MemberRecycler.Outcome.RETIRED) {
                events.memberRetired(name(), m.name(), RetireReason.CLEANUP_FAILED);
            }
        });
    }

    private Lease leaseOf(MemberPod m, String leaseId) {
        return new Lease(leaseId, name(), m.name(), m.stateSince(), m.leaseExpiresAt(), 0, true);
    }

    /** Held by the lease {@code leaseId}; never true for an id that names another pool. */
    private Predicate<MemberPod> sameLease(String leaseId) {
        return LeaseIds.token(leaseId, ref()).map(this::holds).orElse(m -> false);
    }

    /** Held by the lease with this token, in this pool (the pool label is checked too: tokens are only labels). */
    private Predicate<MemberPod> holds(String token) {
        return m -> m.state() == PodState.LEASED && name().equals(m.pool())
                && m.leaseId().filter(token::equals).isPresent();
    }

    private boolean notExpired(MemberPod m) {
        return m.leaseExpiresAt().isAfter(clock.instant());
    }

    /**
     * The leased pod as the API server has it now (not the informer's copy, which may lag behind another
     * replica's release), with the lease active.
     */
    private MemberPod current(String leaseId) {
        MemberPod cached = find(leaseId).orElseThrow(() -> new LeaseNotActiveException(leaseId));
        Pod live = live(cached.name());
        if (live == null || !sameLease(leaseId).test(new MemberPod(live))) {
            throw new LeaseExpiredException(leaseId, "its sandbox " + cached.name() + " was reclaimed or is gone");
        }
        MemberPod m = new MemberPod(live);
        if (!notExpired(m)) {
            throw new LeaseExpiredException(leaseId, "not renewed before " + m.leaseExpiresAt());
        }
        return m;
    }

    private Pod live(String pod) {
        return client.pods().inNamespace(namespace()).withName(pod).get();
    }

    /**
     * The pod holding the lease, from the informer cache's lease index; an id of another pool is no lease here, and
     * costs nothing.
     */
    private Optional<MemberPod> find(String leaseId) {
        Optional<String> token = LeaseIds.token(leaseId, ref());
        if (token.isEmpty()) {
            return Optional.empty();
        }
        List<Pod> cached = members.leasedTo(token.get());
        if (cached.isEmpty()) {
            Claim mine = claimedHere.get(token.get());
            cached = mine != null ? Optional.ofNullable(live(mine.pod())).stream().toList()
                    : fromWatchCache(MemberPod.LEASE, token.get());
        }
        return cached.stream().map(MemberPod::new).filter(holds(token.get())).findFirst();
    }

    /**
     * A pod this replica claimed a moment ago, by lease token. The informer, and even the API server's watch cache,
     * may not show a claim yet when the lease's first call comes (a one-shot's comes at once): on a real cluster one
     * one-shot in a few hundred was answered 404 LeaseNotFound right after its claim. The pod is read by name then.
     * Kept until the informer has surely caught up ({@link #CLAIM_BRIDGE}) or the lease is released.
     */
    private record Claim(String pod, Instant at) {
    }

    private static final Duration CLAIM_BRIDGE = Duration.ofMinutes(1);

    /**
     * This pool's pods with a label the informer has not shown yet (a lease claimed through another replica a
     * moment ago, or no such lease): one LIST served from the API server's watch cache (resourceVersion 0), not a
     * quorum read from etcd. The live read before acting ({@link #current}) makes up for the cache's lag.
     */
    private List<Pod> fromWatchCache(String label, String value) {
        return client.pods().inNamespace(namespace())
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL, name(), label, value))
                .list(new ListOptionsBuilder().withResourceVersion("0").build()).getItems();
    }

    private LeaseNotActiveException ended(String leaseId) {
        return new LeaseExpiredException(leaseId, "it expired and its sandbox was reclaimed");
    }

    // ---- status and shutdown ------------------------------------------------------------------------------------

    @Override
    public PoolStats stats() {
        PoolSettings s = settings;
        Instant now = clock.instant();
        Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
        for (MemberState st : MemberState.values()) {
            counts.put(st, 0);
        }
        List<MemberInfo> infos = members.all().stream().map(MemberPod::new)
                .sorted(Comparator.comparing(MemberPod::name))
                .map(m -> {
                    MemberState state = MemberSnapshots.state(m);
                    counts.merge(state, 1, Integer::sum);
                    return new MemberInfo(m.name(), m.name(), state, m.uses(),
                            Duration.between(m.createdAt(), now).toSeconds(), null, m.ready(), null);
                })
                .toList();
        int terminating = counts.get(MemberState.TERMINATING);
        int waiting;
        synchronized (waiters) {
            waiting = waiters.size();
        }
        return new PoolStats(s.name(), "kubernetes", s.image(), s.minSize(), s.maxSize(), infos.size() - terminating,
                counts.get(MemberState.READY), counts.get(MemberState.LEASED),
                counts.get(MemberState.STARTING) + counts.get(MemberState.CLEANING), terminating, waiting,
                executions.get(), 0, 0, 0, null, null, infos, conditions(), null);
    }

    /** The operator's conditions on the SandboxPool: this process only serves the pool. */
    private List<Condition> conditions() {
        var status = resource.getStatus();
        if (status != null && status.getConditions() != null && !status.getConditions().isEmpty()) {
            return status.getConditions();
        }
        return List.of(new Condition(Condition.TYPE_READY, Condition.UNKNOWN, "NotObserved",
                "the operator has not reported on this pool yet"));
    }

    /** The pool is gone (or this process stops): waiting callers are refused, the demand annotation removed. */
    void stop() {
        List<Waiter> left;
        synchronized (waiters) {
            stopped = true;
            left = List.copyOf(waiters);
            waiters.clear();
        }
        left.forEach(w -> w.claimed.completeExceptionally(new PoolStoppedException(name())));
        dispatcher.execute(() -> demand.publish(0));
        dispatcher.shutdown();
        try {
            // the demand annotation is removed before the client goes away
            if (!dispatcher.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("pool {}/{}: its dispatcher did not stop within 5 s", namespace(), name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runners.close();
    }

    /** A caller waiting for a member. */
    private static final class Waiter {
        /** The random part of the lease id, written on the claimed pod. */
        final String token;
        final Duration ttl;
        final long startedNanos = System.nanoTime();
        final CompletableFuture<Pod> claimed = new CompletableFuture<>();
        /** The dispatcher looked for a pod for this caller at least once. */
        final CompletableFuture<Void> tried = new CompletableFuture<>();
        /** Served by the first attempt, without waiting for a member to start or be cleaned. */
        volatile boolean warm = true;

        Waiter(String token, Duration ttl) {
            this.token = token;
            this.ttl = ttl;
        }
    }
}
