package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.kubernetes.KubernetesBackend;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.MemberRecycler;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseIds;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.LeaseStore;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.Planner;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.PoolStats;
import dev.sandboxpool.pool.ReleaseDecision;
import dev.sandboxpool.pool.RetireReason;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SandboxPool's leases on its member pods (see {@link PodEdits}), written only by compare-and-set, so any number of
 * lease API replicas serve one pool without ever handing one pod to two leases, and a restarted replica loses no
 * lease: every call finds the lease on its pod. The operator creates and retires members and reclaims expired
 * leases; this store only claims, renews, uses and releases.
 *
 * <p>Reads come from the informer's cache, indexed by lease token (no LIST per call); every use and every write
 * reads the pod from the API server first, since the cache may lag behind another replica's release.
 */
final class PodLeaseStore implements LeaseStore {
    private static final Logger log = LoggerFactory.getLogger(PodLeaseStore.class);

    private final KubernetesClient client;
    private final MemberCache members;
    private final Clock clock;
    private final String replica;
    private final PoolEvents events;
    private final Executor dispatcher;
    private final ExecutorService cleaners;
    private final Executor calls;
    private final PodCas cas;
    private final DemandSignal demand;
    /** afterRelease only: the start-up timeout plays no part in it. */
    private final Planner planner = new Planner(Duration.ZERO);
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
    private final PodLeaseLookup lookup;
    private final PodClaims claims;
    private final OneShotReserve reserve;
    private Engine engine;

    private volatile SandboxPool resource;
    private volatile PoolSettings settings;

    /**
     * @param members this pool's pods, from an informer's cache
     * @param replica this process, written on the pods it leases (and its name on its demand annotation)
     * @param dispatcher the pool's single thread: its demand is published there
     * @param cleaners runs clean-ups of released members
     * @param calls runs lease lookups, claims, renewals and releases
     */
    PodLeaseStore(SandboxPool resource, PoolSettings settings, KubernetesClient client, MemberCache members,
            Clock clock, Replica replica, PoolEvents events, Executor dispatcher, ExecutorService cleaners,
            Executor calls) {
        this.resource = resource;
        this.settings = settings;
        this.client = client;
        this.members = members;
        this.clock = clock;
        this.replica = replica.name();
        this.events = events;
        this.dispatcher = dispatcher;
        this.cleaners = cleaners;
        this.calls = calls;
        this.cas = new PodCas(client);
        this.demand = new DemandSignal(client, namespace(), name(), replica.name(), clock);
        this.runners = new ClusterRunners(new KubernetesBackend(client, resource, clock));
        this.lookup = new PodLeaseLookup(client, members, clock, namespace(), name());
        this.claims = new PodClaims(members, lookup, cas, clock, replica);
        this.reserve = new OneShotReserve(namespace() + "/" + name(), new ReservedPods(), clock, cleaners,
                () -> this.settings);
    }

    @Override
    public void bind(Engine engine) {
        this.engine = engine;
        reserve.onFreed(engine::claimable);
    }

    @Override
    public String name() {
        return resource.getMetadata().getName();
    }

    String namespace() {
        return resource.getMetadata().getNamespace();
    }

    /** {@code <namespace>.<name>}, which the registry always finds. */
    @Override
    public String ref() {
        return namespace() + "." + name();
    }

    @Override
    public PoolSettings settings() {
        return settings;
    }

    @Override
    public Executor calls() {
        return calls;
    }

    /** A claim is a write of a pod through the API server. */
    @Override
    public boolean quickClaims() {
        return false;
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

    /**
     * Once a second, on the dispatcher: waiting callers are served, runners of gone pods closed, one-shot reservations
     * renewed, and given back when idle or when another replica's callers wait while nobody waits here.
     */
    void tick() {
        runners.retainOnly(members.all().stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toSet()));
        lookup.forgetOldClaims();
        reserve.tick(othersNeedReservations());
        if (engine.waiting() > 0) {
            engine.claimable();
        } else {
            demand.publish(0);
        }
    }

    /** A member pod changed: a waiting caller may be served now. */
    void membersChanged() {
        engine.claimable();
    }

    @Override
    public void waitingChanged(int waiting) {
        try {
            dispatcher.execute(() -> demand.publish(engine.waiting()));
        } catch (RejectedExecutionException e) {
            // stopping: the demand annotation is removed by stop()
        }
    }

    /** Nobody waits here, and callers of other replicas wait while this one holds more than its share. */
    private boolean othersNeedReservations() {
        return engine.waiting() == 0
                && ReserveShare.giveBack(resource, members.all(), replica, reserve.size(), clock.instant());
    }

    /** Gives back the one-shot reservations and publishes "nobody waits" on the dispatcher. */
    void stop() {
        reserve.stop();
        try {
            dispatcher.execute(() -> demand.publish(0));
        } catch (RejectedExecutionException e) {
            // already stopped
        }
    }

    void closeRunners() {
        runners.close();
    }

    // ---- claims -------------------------------------------------------------------------------------------------

    /** An idle pod ({@link PodClaims}), else the pods this replica holds for its one-shots go back. */
    @Override
    public Optional<Stored> claim(String token, Duration ttl) {
        Optional<Stored> claimed = claimIdle(token, ttl).map(PodLeaseStore::stored);
        if (claimed.isEmpty()) {
            // none idle: the pods this replica holds for its one-shots go back to serve the lease (the informer's
            // news of them serves it)
            reserve.returnFree();
        }
        return claimed;
    }

    /**
     * A one-shot runs in a pod this replica reserved for its one-shots ({@link OneShotReserve}): no write, once the
     * reservation is there.
     */
    @Override
    public Optional<Stored> claimOneShot(String token, Duration ttl) {
        return reserve.claim(token, ttl, () -> claim(token, ttl));
    }

    @Override
    public Optional<Stored> quickOneShotClaim(String token, Duration ttl) {
        return reserve.take(token, ttl);
    }

    private Optional<MemberPod> claimIdle(String token, Duration ttl) {
        return claims.claim(token, ttl, settings.specHash());
    }

    /** The reserve's reads and writes of pods: those of any lease. */
    private final class ReservedPods implements OneShotReserve.Pods {
        @Override
        public Optional<OneShotReserve.Claimed> claim(String token, Duration ttl) {
            return claimIdle(token, ttl).map(m -> new OneShotReserve.Claimed(m.name(), m.leaseExpiresAt(),
                    m.createdAt(), m.specHash(), m.uses()));
        }

        @Override
        public Instant renew(String token, Duration ttl) {
            return PodLeaseStore.this.renew(token, ttl).expiresAt();
        }

        @Override
        public void release(String token, boolean clean, boolean damaged, int moreUses) {
            try {
                releaseNow(token, clean, damaged, moreUses);
            } finally {
                unwrittenExecutions.remove(token);
                lookup.forget(token);
            }
        }
    }

    /** A pod claimed for a caller that had gone: no code ran in it, so it is idle again at once. */
    @Override
    public void giveBack(String token) {
        if (reserve.holds(token)) {
            reserve.giveBack(token);
            return;
        }
        lookup.cached(token).ifPresent(m -> cas.update(m.pod(), lookup.holds(token), p -> PodEdits.toIdle(p, clock.instant())));
        lookup.forget(token);
    }

    private static Stored stored(MemberPod m) {
        return new Stored(m.name(), m.stateSince(), m.leaseExpiresAt());
    }

    // ---- one lease ----------------------------------------------------------------------------------------------

    @Override
    public Optional<Stored> find(String token) {
        return lookup.cached(token).filter(lookup::notExpired).map(PodLeaseStore::stored);
    }

    @Override
    public Optional<String> whyEnded(String token) {
        return lookup.whyEnded(token);
    }

    @Override
    public Stored renew(String token, Duration ttl) {
        MemberPod m = lookup.current(token);
        Instant expiresAt = clock.instant().plus(ttl);
        return cas.update(m.pod(), lookup.holds(token).and(lookup::notExpired), p -> PodEdits.renew(p, expiresAt))
                .map(p -> stored(new MemberPod(p)))
                .orElseThrow(() -> ended(token));
    }

    /**
     * This replica's persistent runner in the pod: one exec stream, opened at its first use there. A release through
     * another replica may have cleaned while a new runner was starting: the pod is read again once it runs. Still
     * leased: that release's clean-up comes later and ends this runner with every other process. Not: nothing is
     * sent to it.
     */
    @Override
    public Use use(String token) {
        if (reserve.holds(token)) {
            // no read: nobody else writes or cleans a pod while this replica's reservation holds it
            OneShotReserve.Held held = reserve.use(token);
            ClusterRunners.Attached attached = runners.forExecution(held.pod(), id(held.reservation()));
            return new Use(held.pod(), attached.runner(), attached.holdsState());
        }
        MemberPod m = lookup.current(token);
        ClusterRunners.Attached attached = runners.forExecution(m.name(), id(token));
        if (attached.fresh()) {
            lookup.current(token);
        }
        return new Use(m.name(), attached.runner(), attached.holdsState());
    }

    @Override
    public void executed(String token) {
        // a reservation's executions are written when its pod goes back
        unwrittenExecutions.merge(reserve.executed(token).orElse(token), 1L, Long::sum);
    }

    @Override
    public void damaged(String token, RuntimeException cause) {
        if (reserve.holds(token)) {
            reserve.damaged(token); // written when the pod goes back, which it does at the one-shot's release
            return;
        }
        lookup.cached(token).ifPresent(m -> cas.update(lookup.live(m.name()), lookup.holds(token), PodEdits::markDamaged));
    }

    /** A pod lost while leased ends in a failed execution here (its exec breaks): it is never retried. */
    @Override
    public boolean memberLost(String token) {
        return false;
    }

    /**
     * A cancel goes to this replica's runner in the lease's pod (the one its calls use) while the lease holds the pod
     * by this replica's cache: it must overtake the call it stops.
     */
    @Override
    public void cancel(String token, String nonce) {
        Optional<OneShotReserve.Held> reserved = reserve.heldBy(token);
        if (reserved.isPresent()) {
            reserved.flatMap(h -> runners.held(h.pod(), id(h.reservation()))).ifPresent(r -> r.cancel(nonce));
            return;
        }
        lookup.cached(token).ifPresent(m -> runners.held(m.name(), id(token)).ifPresent(r -> r.cancel(nonce)));
    }

    /**
     * The address of the replica that holds the lease when it is another one ({@code host:port}, written at the
     * claim): the lease's files, commands and contexts live in that replica's runner.
     */
    @Override
    public Optional<String> holderAddress(String token) {
        return lookup.cached(token).filter(m -> !replica.equals(m.leaseHolder())).flatMap(MemberPod::leaseHolderAddress);
    }

    @Override
    public void release(String token, boolean clean) {
        if (reserve.holds(token)) {
            reserve.release(token, clean, othersNeedReservations());
            return;
        }
        try {
            releaseNow(token, clean, false, 0);
        } finally {
            // written with the release, or lost with a lease that ended otherwise: never counted twice
            unwrittenExecutions.remove(token);
            lookup.forget(token);
        }
    }

    /**
     * {@code damaged}: known here to be damaged, besides the pod's mark; {@code moreUses}: uses beyond the claim's
     * own to count on the pod (a one-shot reservation's).
     */
    private void releaseNow(String token, boolean alreadyClean, boolean knownDamaged, int moreUses) {
        MemberPod m = lookup.current(token);
        MemberSnapshot snapshot = new MemberSnapshot(m.name(), MemberState.LEASED, m.specHash(), m.createdAt(), null,
                m.uses() + moreUses, null, 0, false);
        boolean damaged = knownDamaged || m.damaged() || runners.killedDuring(m.name(), id(token));
        ReleaseDecision decision = planner.afterRelease(settings, snapshot, damaged, clock.instant());
        KubernetesBackend backend = new KubernetesBackend(client, resource, clock);
        MemberRecycler recycler = MemberRecycler.retiringOnly(backend, cas, clock);
        long ran = unwrittenExecutions.getOrDefault(token, 0L);
        UnaryOperator<Pod> counted = p -> PodEdits.addUses(PodEdits.addExecutions(p, ran), moreUses);
        if (!decision.recycle()) {
            if (!recycler.retire(m.pod(), lookup.holds(token), counted)) {
                throw ended(token);
            }
            log.info("pool {}/{}: pod {} retired after its lease, the operator deletes it ({}, {} uses)",
                    namespace(), name(), m.name(), decision.destroyBecause(), snapshot.uses());
            events.memberRetired(name(), m.name(), decision.destroyBecause());
            return;
        }
        if (alreadyClean) {
            cas.update(m.pod(), lookup.holds(token), p -> counted.apply(PodEdits.toIdle(p, clock.instant())))
                    .orElseThrow(() -> ended(token));
            return;
        }
        Pod cleaning = cas.update(m.pod(), lookup.holds(token), p -> counted.apply(PodEdits.toCleaning(p, clock.instant())))
                .orElseThrow(() -> ended(token));
        String lease = id(token);
        cleaners.execute(() -> {
            try {
                MemberRecycler.Outcome outcome = recycler.recycle(cleaning, runners.forCleanup(m.name(), lease));
                log.debug("pool {}/{}: pod {} after lease {}: {}", namespace(), name(), m.name(), lease, outcome);
                if (outcome == MemberRecycler.Outcome.RETIRED) {
                    events.memberRetired(name(), m.name(), RetireReason.CLEANUP_FAILED);
                }
            } catch (RuntimeException e) {
                // the pod stays cleaning: the operator retires a clean-up abandoned past its deadline
                log.warn("pool {}/{}: cannot clean pod {} after lease {}: {}", namespace(), name(), m.name(), lease,
                        e.getMessage());
            }
        });
    }

    private String id(String token) {
        return LeaseIds.of(ref(), token);
    }

    private LeaseNotActiveException ended(String token) {
        return new LeaseExpiredException(id(token), "it expired and its sandbox was reclaimed");
    }

    // ---- status -------------------------------------------------------------------------------------------------

    @Override
    public PoolStats stats(int waiting, long executions) {
        return PodPoolStatus.of(resource, settings, members.all(), clock.instant(), waiting, executions);
    }
}
