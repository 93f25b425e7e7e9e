package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.kubernetes.KubernetesBackend;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.MemberRecycler;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.backend.kubernetes.StateLabel;
import dev.sandboxpool.cluster.MemberSnapshots;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.Planner;
import dev.sandboxpool.pool.ReleaseDecision;
import dev.sandboxpool.pool.RetireReason;
import dev.sandboxpool.spec.Durations;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actions of one reconcile on one pool's pods, the cluster's member lifecycle: ended pods replaced, ready
 * starters made idle, expired leases reclaimed, abandoned clean-ups retired, the planner's retirements and
 * creations applied. Every write is a compare-and-set; {@code pods} is kept up to date with every write.
 */
final class PodMembers {
    private static final Logger log = LoggerFactory.getLogger(PodMembers.class);

    /** What the reconciler lends to each reconcile. */
    record Tools(KubernetesClient client, Clock clock, Planner planner, Duration startupTimeout,
            ExecutorService cleaners, PoolEventRecorder events, InformerEventSource<Pod, SandboxPool> podEvents) {
    }

    private final Tools tools;
    private final StartBackoff backoff;
    final SandboxPool pool;
    final PoolSettings s;
    final Map<String, Pod> pods;
    final Instant now;
    final String who;
    final KubernetesBackend backend;
    final PodCas cas;
    final MemberRecycler recycler;

    PodMembers(Tools tools, SandboxPool pool, PoolSettings s, Map<String, Pod> pods, Instant now,
            StartBackoff backoff) {
        this.tools = tools;
        this.pool = pool;
        this.s = s;
        this.pods = pods;
        this.now = now;
        this.backoff = backoff;
        this.who = SandboxPoolReconciler.who(pool);
        this.backend = new KubernetesBackend(tools.client(), pool, tools.clock());
        this.cas = new PodCas(tools.client());
        this.recycler = MemberRecycler.deleting(backend, cas, tools.clock());
    }

    /** What needs no planning: ended pods, ready starters, expired leases, abandoned clean-ups. */
    void housekeep() {
        for (Pod pod : List.copyOf(pods.values())) {
            MemberPod m = new MemberPod(pod);
            if (m.ended() && pod.getMetadata().getDeletionTimestamp() == null) {
                removeEnded(m);
            } else if (m.state() == MemberState.TERMINATING && !m.gone()) {
                // retired by a lease API replica, which may not delete pods, or by a retirer that stopped
                // before the delete
                backend.destroy(m.name());
            } else if (m.state() == MemberState.STARTING && m.ready() && !m.gone()) {
                becomeIdle(m);
            } else if (m.state() == MemberState.LEASED && !m.leaseExpiresAt().isAfter(now) && !m.gone()) {
                reclaim(m);
            } else if (m.state() == MemberState.CLEANING && !m.stateSince().plus(SandboxPoolReconciler.CLEANING_DEADLINE).isAfter(now)
                    && !m.gone()) {
                log.warn("{}: pod {} has been cleaning since {}: its cleaner is gone, deleting it", who, m.name(),
                        m.stateSince());
                Instant since = m.stateSince();
                retireNow(m, x -> x.state() == MemberState.CLEANING && x.stateSince().equals(since));
            }
        }
    }

    /** Failed, evicted or exited: replaced (the planner sees it terminating until it is gone). */
    private void removeEnded(MemberPod m) {
        log.warn("{}: pod {} ended ({}) while {}, replacing it", who, m.name(), m.endReason(),
                StateLabel.of(m.state()));
        tools.events().warning(pool, "MemberEnded", "Replace", "pod " + m.name() + " ended (" + m.endReason()
                + ") while " + StateLabel.of(m.state()) + ": replacing it");
        if (m.state() == MemberState.STARTING) {
            backoff.failed("pod " + m.name() + " ended before it was ready: " + m.endReason(), now);
        }
        backend.destroy(m.name());
    }

    private void becomeIdle(MemberPod m) {
        cas.update(m.pod(), x -> x.state() == MemberState.STARTING, p -> PodEdits.toIdle(p, now))
                .ifPresent(written -> {
                    backoff.succeeded();
                    long ms = Duration.between(m.createdAt(), now).toMillis();
                    log.info("{}: pod {} ready {} ms after creation", who, m.name(), ms);
                    tools.events().normal(pool, "MemberReady", "Ready", "pod " + m.name() + " ready " + ms
                            + " ms after creation");
                    updated(m.pod(), written);
                });
    }

    /** An expired lease: the member is cleaned (which kills whatever still runs in it) or deleted. */
    private void reclaim(MemberPod m) {
        String leaseId = m.leaseId().orElse("");
        Predicate<MemberPod> sameLease = x -> x.state() == MemberState.LEASED
                && leaseId.equals(x.leaseId().orElse("")) && !x.leaseExpiresAt().isAfter(now);
        ReleaseDecision decision = tools.planner().afterRelease(s, MemberSnapshots.of(m, s.probeFailureThreshold()),
                m.damaged(), now);
        log.info("{}: lease {} on pod {} (holder {}) expired at {}: {}", who, leaseId, m.name(), m.leaseHolder(),
                m.leaseExpiresAt(),
                decision.recycle() ? "cleaning it" : "deleting it (" + decision.destroyBecause() + ")");
        String why = "not renewed before " + m.leaseExpiresAt();
        if (!decision.recycle()) {
            retireNow(m, sameLease, p -> PodEdits.noteEnded(p, leaseId, why));
            return;
        }
        var cleaning = cas.update(m.pod(), sameLease,
                p -> PodEdits.noteEnded(PodEdits.toCleaning(p, now), leaseId, why));
        cleaning.ifPresent(written -> {
            updated(m.pod(), written);
            tools.cleaners().execute(() -> log.info("{}: pod {} after its expired lease: {}", who, m.name(),
                    recycler.recycle(written)));
        });
    }

    void retire(String podName, RetireReason reason) {
        Pod pod = pods.get(podName);
        MemberPod m = new MemberPod(pod);
        if (reason == RetireReason.STARTUP_TIMEOUT) {
            backoff.failed("pod " + m.name() + " not ready within " + Durations.format(tools.startupTimeout())
                    + ": " + m.waiting().map(Object::toString).orElse("no reason reported"), now);
        }
        MemberState state = m.state();
        boolean retired = retireNow(m, x -> x.state() == state && !x.gone());
        if (retired) {
            long age = Duration.between(m.createdAt(), now).toSeconds();
            log.info("{}: retiring pod {} ({}, {} uses, age {} s)", who, m.name(), reason, m.uses(), age);
            String note = "retired pod " + m.name() + ": " + reason.description() + " (" + m.uses()
                    + " uses, age " + age + " s)";
            if (reason.isProblem()) {
                tools.events().warning(pool, "MemberRetired", "Retire", note);
            } else {
                tools.events().normal(pool, "MemberRetired", "Retire", note);
            }
        }
    }

    private boolean retireNow(MemberPod m, Predicate<MemberPod> check) {
        return retireNow(m, check, p -> p);
    }

    /** @param note a last change written with the retirement */
    private boolean retireNow(MemberPod m, Predicate<MemberPod> check, UnaryOperator<Pod> note) {
        var retiring = cas.update(m.pod(), check, p -> note.apply(PodEdits.toRetiring(p, now)));
        retiring.ifPresent(written -> {
            updated(m.pod(), written);
            backend.destroy(m.name());
        });
        return retiring.isPresent();
    }

    void create(int count) {
        for (int i = 0; i < count; i++) {
            try {
                Pod created = backend.createPod(s);
                pods.put(created.getMetadata().getName(), created);
                tools.podEvents().handleRecentResourceCreate(ResourceID.fromResource(created), created);
                log.info("{}: created pod {} (spec hash {})", who, created.getMetadata().getName(), s.specHash());
                tools.events().normal(pool, "MemberCreated", "Create", "created pod " + created.getMetadata().getName());
            } catch (BackendException e) {
                backoff.failed(e.getMessage(), now);
                log.warn("{}: {}", who, e.getMessage());
                tools.events().warning(pool, "StartFailing", "Create", e.getMessage());
                return;
            }
        }
    }

    /** Our own write goes into the informer's cache at once, so the next reconcile does not act on the old pod. */
    private void updated(Pod before, Pod after) {
        pods.put(after.getMetadata().getName(), after);
        tools.podEvents().handleRecentResourceUpdate(ResourceID.fromResource(after), after, before);
    }
}
