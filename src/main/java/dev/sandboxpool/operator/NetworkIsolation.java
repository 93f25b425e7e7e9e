package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.kubernetes.KubernetesBackend;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.MemberRecycler;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.operator.NetworkProbe.Findings;
import dev.sandboxpool.operator.NetworkProbe.Target;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether {@code network: None} is in effect for a pool, since a NetworkPolicy is only as good as the
 * network plugin that enforces it: from inside one idle member, a connection attempt to what a sandbox must not
 * reach (the API server, the node's kubelet, the operator's own port; {@link NetworkProbe}). The result is the
 * pool's {@code NetworkIsolated} condition, cached per pool and checked again when the spec hash changes and every
 * {@link #RECHECK} otherwise.
 *
 * <p>The check never runs on a reconcile thread (it takes seconds): a reconcile only starts it on the clean-up
 * executor and reports the last result. It claims its member like a lease does, by compare-and-set from idle to
 * cleaning, marked as the operator's check (so counts go on calling it ready), so no lease API replica can claim the
 * member while the probe runs (and if a replica claimed it first, the check waits for the next reconcile). Afterwards the member is cleaned by the runner, as after a lease, and
 * goes back to idle with its idle-since time unchanged (the check is no use, and does not reset its idle timeout);
 * a failed clean-up retires it. If the operator stops mid-check, the cleaning deadline retires the member.
 */
final class NetworkIsolation {
    private static final Logger log = LoggerFactory.getLogger(NetworkIsolation.class);
    /** How often a pool whose spec hash did not change is checked again. */
    static final Duration RECHECK = Duration.ofMinutes(5);
    /** How soon a check that could not run or finish is tried again. */
    static final Duration RETRY = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final Clock clock;
    private final Executor executor;
    /** The API server as the operator reaches it, and the operator's own address when known. */
    private final List<Target> fixedTargets;
    private final Map<ResourceID, Result> results = new ConcurrentHashMap<>();
    private final Set<ResourceID> running = ConcurrentHashMap.newKeySet();

    private record Result(String uid, String specHash, Instant checkedAt, Condition condition) {
    }

    NetworkIsolation(KubernetesClient client, Clock clock, Executor executor, List<Target> fixedTargets) {
        this.client = client;
        this.clock = clock;
        this.executor = executor;
        this.fixedTargets = List.copyOf(fixedTargets);
    }

    /**
     * The condition to report now: the last result, or why there is none. None for {@code network: Allowed}: such
     * a pool is not isolated and does not ask to be, and a True condition would read as if it were.
     */
    Optional<Condition> condition(SandboxPool pool, PoolSettings s) {
        if (s.network() == NetworkMode.Allowed) {
            return Optional.empty();
        }
        Result r = results.get(ResourceID.fromResource(pool));
        if (r == null || !r.uid().equals(pool.getMetadata().getUid())) {
            return Optional.of(new Condition(ClusterReasons.TYPE_NETWORK_ISOLATED, Condition.UNKNOWN,
                    ClusterReasons.NOT_CHECKED, "not checked yet: the check runs in an idle member once one is ready"));
        }
        Condition c = r.condition();
        return Optional.of(new Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage()));
    }

    /**
     * Starts a check in the background when one is due, an idle member of the current spec is there and no caller
     * waits for one (the check holds its member for a few seconds: it waits for a quiet moment instead).
     */
    void checkIfDue(SandboxPool pool, PoolSettings s, Collection<Pod> pods, int waiters, KubernetesBackend backend,
            Instant now) {
        ResourceID id = ResourceID.fromResource(pool);
        if (s.network() == NetworkMode.Allowed) {
            results.remove(id);
            return;
        }
        Result r = results.get(id);
        boolean due = r == null || !r.uid().equals(pool.getMetadata().getUid())
                || !r.specHash().equals(s.specHash()) || !r.checkedAt().plus(again(r)).isAfter(now);
        Optional<MemberPod> member = pods.stream().map(MemberPod::new)
                .filter(m -> m.claimable() && s.specHash().equals(m.specHash())).findFirst();
        if (!due || waiters > 0 || member.isEmpty() || !running.add(id)) {
            return;
        }
        String who = "SandboxPool " + id.getNamespace().orElse("") + "/" + id.getName();
        try {
            executor.execute(() -> {
                try {
                    check(id, who, pool.getMetadata().getUid(), s.specHash(), member.get(), backend);
                } catch (RuntimeException e) {
                    // the operator stopping (its client closed) or an API failure mid-check: a member left
                    // cleaning is retired after the cleaning deadline, and the check runs again when due
                    log.warn("{}: network check ended early: {}", who, e.toString());
                } finally {
                    running.remove(id);
                }
            });
        } catch (RejectedExecutionException e) {
            running.remove(id); // the operator is stopping
        }
    }

    private static Duration again(Result r) {
        return ClusterReasons.CHECK_FAILED.equals(r.condition().getReason()) ? RETRY : RECHECK;
    }

    /** Forgets pools that are gone. */
    void retain(Predicate<ResourceID> exists) {
        results.keySet().removeIf(id -> !exists.test(id));
    }

    private void check(ResourceID id, String who, String uid, String specHash, MemberPod member,
            KubernetesBackend backend) {
        PodCas cas = new PodCas(client);
        Instant idleSince = member.stateSince();
        Optional<Pod> claimed;
        try {
            claimed = cas.update(member.pod(), m -> m.claimable() && specHash.equals(m.specHash()),
                    p -> PodEdits.toChecking(p, clock.instant()));
        } catch (KubernetesClientException e) {
            log.warn("{}: cannot claim pod {} for the network check: {}", who, member.name(), e.getMessage());
            return;
        }
        if (claimed.isEmpty()) {
            return; // leased meanwhile: the next reconcile picks another member
        }
        List<Target> targets = targets(claimed.get());
        Condition condition;
        try {
            ExecOutput out = backend.exec(member.name(), NetworkProbe.call(targets));
            condition = NetworkProbe.read(targets, out)
                    .map(f -> outcome(member.name(), f))
                    .orElseGet(() -> new Condition(ClusterReasons.TYPE_NETWORK_ISOLATED, Condition.UNKNOWN,
                            ClusterReasons.CHECK_FAILED, "the network check did not finish in pod " + member.name()
                                    + " (exit " + out.exitCode() + (out.timedOut() ? ", timed out" : "")
                                    + "); it is tried again in " + RETRY.toSeconds() + " s"));
        } catch (BackendException e) {
            condition = new Condition(ClusterReasons.TYPE_NETWORK_ISOLATED, Condition.UNKNOWN,
                    ClusterReasons.CHECK_FAILED, "the network check could not run in pod " + member.name() + ": "
                            + e.getMessage());
        }
        Result previous = results.put(id, new Result(uid, specHash, clock.instant(), condition));
        if (previous == null || !previous.condition().getReason().equals(condition.getReason())) {
            if (Condition.FALSE.equals(condition.getStatus())) {
                log.warn("{}: {}", who, condition.getMessage());
            } else {
                log.info("{}: network check: {} ({})", who, condition.getReason(), condition.getMessage());
            }
        }
        giveBack(who, cas, claimed.get(), idleSince, backend);
    }

    /** Cleaned by the runner, as after a lease (whatever the probe left is killed), then idle again. */
    private void giveBack(String who, PodCas cas, Pod claimed, Instant idleSince, KubernetesBackend backend) {
        String name = claimed.getMetadata().getName();
        Instant cleaningSince = new MemberPod(claimed).stateSince();
        Predicate<MemberPod> stillOurs = m -> m.state() == MemberState.CLEANING && m.stateSince().equals(cleaningSince);
        Optional<String> dirty;
        try {
            dirty = new ExecRunner(backend, name).clean();
        } catch (BackendException e) {
            dirty = Optional.of(e.getMessage());
        }
        try {
            if (dirty.isEmpty()) {
                cas.update(claimed, stillOurs, p -> PodEdits.toIdle(p, idleSince));
            } else {
                log.warn("{}: pod {}: clean-up after the network check failed, deleting it: {}", who, name,
                        dirty.get());
                MemberRecycler.deleting(backend, cas, clock).retire(claimed, stillOurs);
            }
        } catch (KubernetesClientException e) {
            // left cleaning: the reconciler retires it after the cleaning deadline
            log.warn("{}: pod {}: cannot give it back after the network check: {}", who, name, e.getMessage());
        }
    }

    private List<Target> targets(Pod member) {
        List<Target> targets = new ArrayList<>(fixedTargets);
        String hostIp = member.getStatus() == null ? null : member.getStatus().getHostIP();
        if (hostIp != null && !hostIp.isBlank()) {
            targets.add(new Target("kubelet", hostIp, NetworkProbe.KUBELET_PORT));
        }
        return targets;
    }

    private static Condition outcome(String pod, Findings f) {
        if (f.reached().isEmpty()) {
            return new Condition(ClusterReasons.TYPE_NETWORK_ISOLATED, Condition.TRUE, ClusterReasons.ENFORCED,
                    "pod " + pod + " reached none of " + NetworkProbe.describe(f.blocked()) + " (each tried for "
                            + NetworkProbe.CONNECT_TIMEOUT.toSeconds() + " s)");
        }
        return new Condition(ClusterReasons.TYPE_NETWORK_ISOLATED, Condition.FALSE, ClusterReasons.NOT_ENFORCED,
                "network: None is not in effect: pod " + pod + " reached " + NetworkProbe.describe(f.reached())
                        + ". The cluster's network plugin does not enforce NetworkPolicy, so sandbox code can reach "
                        + "the cluster. Use a network plugin that enforces NetworkPolicy (Calico, Cilium, ...) or "
                        + "run no untrusted code in this pool until then");
    }
}
