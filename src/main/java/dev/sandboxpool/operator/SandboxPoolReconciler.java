package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolStatus;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.cluster.ClusterConfig;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.cluster.Demand;
import dev.sandboxpool.cluster.MemberSnapshots;
import dev.sandboxpool.pool.DaemonThreads;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.Plan;
import dev.sandboxpool.pool.Planner;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each SandboxPool at its declared shape with the shared {@link Planner}: member pods are created, marked idle
 * once Ready, retired (idle, aged, unhealthy, of an older spec), replaced when they fail, are evicted or deleted, and
 * their expired leases reclaimed. Status reports counts and conditions, written only when they change.
 *
 * <p>Every write to a member pod is a resourceVersion compare-and-set ({@link PodCas}), because lease API replicas
 * write the same pods: the operator never retires a pod that a replica claimed a moment before.
 */
@ControllerConfiguration(name = SandboxPoolReconciler.NAME)
public class SandboxPoolReconciler implements Reconciler<SandboxPool> {
    public static final String NAME = "sandboxpool";
    /**
     * The finalizer JOSDK added while this reconciler was a {@code Cleaner}. It made deleting a pool wait for a
     * running operator (with none, {@code kubectl delete} hung and the pods stayed); owner references already have
     * the API server's garbage collector delete a pool's pods. Pools created by such a version lose it at their next
     * reconcile.
     */
    static final String FORMER_FINALIZER = "sandboxpools.sandboxpool.dev/finalizer";
    private static final Logger log = LoggerFactory.getLogger(SandboxPoolReconciler.class);
    /** A clean-up (three attempts of 15 s at most) that has not ended by then was abandoned by its process. */
    static final Duration CLEANING_DEADLINE = Duration.ofMinutes(2);
    /**
     * A pod still Terminating this long past its deletionTimestamp and grace period is on a lost node: it no longer
     * counts against maxSize (it would for as long as the node stays lost), only as terminating in the status.
     */
    static final Duration STUCK_TERMINATING_MARGIN = Duration.ofMinutes(1);
    /**
     * A status write that only {@code executions} would change waits until this long after the pool's last status
     * write here: a busy pool's count moves with every lease. Every other change is written at once, with the count.
     */
    static final Duration EXECUTIONS_WRITE_INTERVAL = Duration.ofSeconds(5);
    /** How soon a pool is looked at again while the pod informer has not listed the pods yet. */
    static final Duration POD_LISTING_WAIT = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final Clock clock;
    private final Planner planner;
    private final Duration startupTimeout;
    private final Duration resyncInterval;
    private final Duration leaseCountsInterval;
    private final ExecutorService cleaners;
    private final Map<ResourceID, StartBackoff> backoffs = new ConcurrentHashMap<>();
    private final ExecutionTally executions = new ExecutionTally();
    /** When this process last wrote each pool's status, by {@code clock}. */
    private final Map<ResourceID, Instant> statusWritten = new ConcurrentHashMap<>();
    private final NetworkIsolation networkIsolation;
    private final SandboxNetworkPolicy networkPolicy;
    private final PoolEventRecorder events;
    private volatile InformerEventSource<Pod, SandboxPool> podEvents;

    /**
     * @param cleaners runs the clean-up of reclaimed leases and the network checks, off the reconcile threads
     * @param operatorAddress the operator's own pod IP and port, which members must not reach, when known
     */
    public SandboxPoolReconciler(KubernetesClient client, Clock clock, ClusterConfig config, ExecutorService cleaners,
            Optional<InetSocketAddress> operatorAddress) {
        this.client = client;
        this.clock = clock;
        this.planner = new Planner(config.getMemberStartupTimeout());
        this.startupTimeout = config.getMemberStartupTimeout();
        this.resyncInterval = config.getResyncInterval();
        this.leaseCountsInterval = config.getStatusLeaseCountsInterval();
        this.cleaners = cleaners;
        List<NetworkProbe.Target> targets = new ArrayList<>();
        NetworkProbe.apiServer(client.getConfiguration().getMasterUrl()).ifPresent(targets::add);
        operatorAddress.ifPresent(a -> targets.add(new NetworkProbe.Target("operator", a.getHostString(),
                a.getPort())));
        this.networkIsolation = new NetworkIsolation(client, clock, cleaners, targets);
        this.networkPolicy = new SandboxNetworkPolicy(client);
        this.events = new PoolEventRecorder(client, clock,
                Executors.newSingleThreadExecutor(DaemonThreads.named("pool-events")),
                Optional.ofNullable(System.getenv("HOSTNAME")).orElse("sandbox-pool-operator"));
    }

    /** Whether the pod informer has listed the pods once (it may have lost its watch since: it then catches up). */
    private boolean podsListed() {
        InformerEventSource<Pod, SandboxPool> source = podEvents;
        return source != null && source.informerHealthIndicators().values().stream()
                .allMatch(InformerHealthIndicator::hasSynced);
    }

    @Override
    public List<EventSource<?, SandboxPool>> prepareEventSources(EventSourceContext<SandboxPool> context) {
        var config = InformerEventSourceConfiguration.from(Pod.class, SandboxPool.class)
                .withName("member-pods")
                .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SandboxPool.class))
                .withNamespacesInheritedFromController()
                .build();
        podEvents = new InformerEventSource<>(config, context) {
            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                // the last state of the pod: the release that retired it may have added to its count
                MemberPod m = new MemberPod(pod);
                if (m.pool() != null) {
                    executions.gone(new ResourceID(m.pool(), m.namespace()), m.name(), m.executions());
                }
                super.onDelete(pod, finalStateUnknown);
            }
        };
        return List.of(podEvents);
    }

    /**
     * Which updates of a SandboxPool need a reconcile: spec changes (generation), demand published by lease API
     * replicas, deletion. Status writes (ours) do not.
     */
    public static boolean worthReconciling(SandboxPool newer, SandboxPool older) {
        return !Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
                || !Demand.annotations(newer).equals(Demand.annotations(older))
                || newer.isMarkedForDeletion()
                || !Objects.equals(newer.getMetadata().getFinalizers(), older.getMetadata().getFinalizers());
    }

    @Override
    public UpdateControl<SandboxPool> reconcile(SandboxPool pool, Context<SandboxPool> context) {
        String who = who(pool);
        if (!podsListed()) {
            // an informer that has not listed the pods yet (an API server away when the operator started) shows
            // none: planning from that would start a second set of members next to the ones that run
            log.debug("{}: waiting for the pod informer's first listing", who);
            return UpdateControl.<SandboxPool>noUpdate().rescheduleAfter(POD_LISTING_WAIT);
        }
        Instant now = clock.instant();
        dropFormerFinalizer(pool);
        // no clean-up callback without a finalizer: forget the back-off of pools that are gone here instead
        backoffs.keySet().removeIf(id -> context.getPrimaryCache().get(id).isEmpty());
        statusWritten.keySet().removeIf(id -> context.getPrimaryCache().get(id).isEmpty());
        executions.retainOnly(context.getPrimaryCache().keys().collect(Collectors.toSet()));
        networkIsolation.retain(id -> context.getPrimaryCache().get(id).isPresent());
        networkPolicy.retain(id -> context.getPrimaryCache().get(id).isPresent());
        Map<String, Pod> pods = new LinkedHashMap<>();
        context.getSecondaryResources(Pod.class).forEach(p -> pods.put(p.getMetadata().getName(), p));
        long generation = pool.getMetadata().getGeneration() == null ? 0 : pool.getMetadata().getGeneration();

        PoolSettings s;
        try {
            s = PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec());
        } catch (InvalidSpecException e) {
            List<MemberSnapshot> members = snapshots(pods, 1);
            SandboxPoolStatus status = PoolStatusBuilder.invalid(pool.getMetadata().getName(), generation, e,
                    members, pool.getStatus(), now);
            if (!PoolStatusBuilder.same(status, pool.getStatus())) {
                log.warn("{}: invalid spec, members are left as they are: {}", who, e.getMessage());
            }
            return write(pool, status, pods, now);
        }

        PodMembers members = new PodMembers(new PodMembers.Tools(client, clock, planner, startupTimeout, cleaners,
                events, podEvents), pool, s, pods, now, backoff(pool));
        members.housekeep();
        List<MemberSnapshot> holdingCapacity = snapshots(pods, s, now).stream()
                .filter(m -> !stuckTerminating(pods.get(m.id()), now)).toList();
        int waiters = Demand.waiting(pool, now);
        StartBackoff backoff = backoff(pool);
        Plan plan = planner.plan(s, holdingCapacity, waiters, now, backoff.notBefore());
        plan.retire().forEach(members::retire);
        if (s.network() == NetworkMode.None) {
            // before the first member: none runs without its policy
            networkPolicy.keep(pool, now, NetworkIsolation.RECHECK);
        }
        members.create(plan.create());
        networkIsolation.checkIfDue(pool, s, pods.values(), waiters, members.backend, now);

        var starts = new PoolStatusBuilder.Starts(backoff.failures(), backoff.lastError(),
                StartProblem.find(pods.values().stream().map(MemberPod::new).toList(), s.image()));
        SandboxPoolStatus status = PoolStatusBuilder.build(pool.getMetadata().getName(), generation, s,
                snapshots(pods, s, now), waiters, starts, networkIsolation.condition(pool, s),
                pool.getStatus(), now);
        return write(pool, status, pods, now);
    }

    /**
     * The status patch (JOSDK computes a JSON patch between the cached pool and this one, so only changed fields
     * are sent). It carries no resourceVersion: only the operator, one leader at a time, writes status, so there is
     * no conflict to detect, and a stale cache is corrected by the next reconcile.
     *
     * <p>{@code executions} comes from the members' counts ({@link ExecutionTally}). A change of the counts that move
     * with every lease alone is held back for a moment ({@link #holdBackCounts}), and the pool reconciled again then.
     */
    private UpdateControl<SandboxPool> write(SandboxPool pool, SandboxPoolStatus status, Map<String, Pod> pods,
            Instant now) {
        ResourceID id = ResourceID.fromResource(pool);
        SandboxPoolStatus previous = pool.getStatus();
        Map<String, Long> counts = new LinkedHashMap<>();
        pods.values().forEach(p -> counts.put(p.getMetadata().getName(), new MemberPod(p).executions()));
        long total = executions.observe(id, previous == null ? 0 : previous.getExecutions(), counts);
        status.setExecutions(total);
        Duration next = holdBackCounts(status, previous, statusWritten.get(id), now).orElse(resyncInterval);
        UpdateControl<SandboxPool> control;
        if (PoolStatusBuilder.same(status, previous)) {
            control = UpdateControl.noUpdate();
        } else {
            SandboxPool patched = new SandboxPool();
            patched.setMetadata(pool.getMetadata());
            patched.setSpec(pool.getSpec());
            patched.setStatus(status);
            control = UpdateControl.patchStatus(patched);
            statusWritten.put(id, now);
        }
        return control.rescheduleAfter(next);
    }

    /**
     * Counts that move with every lease and execution (ready and leased members, executions) are written at most
     * every {@link #EXECUTIONS_WRITE_INTERVAL} and lease-counts interval after this process's last write of the
     * pool's status: when nothing else changed, {@code status} gets the written values back (so nothing is written)
     * and the answer is when to look again. Every other change is written at once, with the counts as they are.
     */
    private Optional<Duration> holdBackCounts(SandboxPoolStatus status, SandboxPoolStatus previous, Instant lastWrite,
            Instant now) {
        if (previous == null || lastWrite == null || PoolStatusBuilder.same(status, previous)) {
            return Optional.empty();
        }
        long executions = status.getExecutions();
        int ready = status.getReadyReplicas();
        int leased = status.getLeasedReplicas();
        Instant executionsDue = lastWrite.plus(EXECUTIONS_WRITE_INTERVAL);
        Instant leaseCountsDue = lastWrite.plus(leaseCountsInterval);
        Instant lookAgain = null;
        if (executions != previous.getExecutions() && now.isBefore(executionsDue)) {
            status.setExecutions(previous.getExecutions());
            lookAgain = executionsDue;
        }
        if ((ready != previous.getReadyReplicas() || leased != previous.getLeasedReplicas())
                && now.isBefore(leaseCountsDue)) {
            status.setReadyReplicas(previous.getReadyReplicas());
            status.setLeasedReplicas(previous.getLeasedReplicas());
            lookAgain = lookAgain == null || leaseCountsDue.isBefore(lookAgain) ? leaseCountsDue : lookAgain;
        }
        if (lookAgain == null || !PoolStatusBuilder.same(status, previous)) {
            status.setExecutions(executions);
            status.setReadyReplicas(ready);
            status.setLeasedReplicas(leased);
            return Optional.empty();
        }
        Duration wait = Duration.between(now, lookAgain);
        return Optional.of(wait.compareTo(resyncInterval) < 0 ? wait : resyncInterval);
    }

    /** A failed reconcile shows as Degraded=ReconcileError and is retried; conflicts are retried silently. */
    @Override
    public ErrorStatusUpdateControl<SandboxPool> updateErrorStatus(SandboxPool pool, Context<SandboxPool> context,
            Exception e) {
        if (e instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_CONFLICT) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        log.warn("{}: reconcile failed, retrying: {}", who(pool), e.getMessage());
        SandboxPoolStatus status = pool.getStatus() == null ? new SandboxPoolStatus() : pool.getStatus();
        List<Condition> previous = status.getConditions() == null ? List.of() : status.getConditions();
        List<Condition> conditions = new ArrayList<>(previous.stream()
                .filter(c -> !Condition.TYPE_DEGRADED.equals(c.getType())).toList());
        Condition degraded = new Condition(Condition.TYPE_DEGRADED, Condition.TRUE, ClusterReasons.RECONCILE_ERROR,
                e.getMessage());
        // already degraded for another reason: no flip, the transition time stays
        degraded.setLastTransitionTime(previous.stream()
                .filter(c -> Condition.TYPE_DEGRADED.equals(c.getType()) && Condition.TRUE.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).findFirst().orElse(clock.instant().toString()));
        degraded.setObservedGeneration(pool.getMetadata().getGeneration());
        conditions.add(degraded);
        status.setConditions(conditions);
        pool.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(pool);
    }

    private void dropFormerFinalizer(SandboxPool pool) {
        List<String> finalizers = pool.getMetadata().getFinalizers();
        if (finalizers != null && finalizers.contains(FORMER_FINALIZER)) {
            client.resource(pool).edit(p -> {
                p.getMetadata().getFinalizers().remove(FORMER_FINALIZER);
                return p;
            });
            log.info("{}: removed the finalizer of an earlier version", who(pool));
        }
    }

    private StartBackoff backoff(SandboxPool pool) {
        return backoffs.computeIfAbsent(ResourceID.fromResource(pool), id -> new StartBackoff());
    }

    private static List<MemberSnapshot> snapshots(Map<String, Pod> pods, int probeFailureThreshold) {
        return pods.values().stream().map(p -> MemberSnapshots.of(new MemberPod(p), probeFailureThreshold)).toList();
    }

    /** An idle pod is unhealthy once it has been unready for a probe period and its timeout (see MemberSnapshots). */
    private static List<MemberSnapshot> snapshots(Map<String, Pod> pods, PoolSettings s, Instant now) {
        Duration grace = s.probePeriod().plus(s.probeTimeout());
        return pods.values().stream()
                .map(p -> MemberSnapshots.of(new MemberPod(p), s.probeFailureThreshold(), now, grace)).toList();
    }

    private static boolean stuckTerminating(Pod pod, Instant now) {
        return pod != null && new MemberPod(pod).stuckTerminating(now, STUCK_TERMINATING_MARGIN);
    }

    static String who(SandboxPool pool) {
        return "SandboxPool " + pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName();
    }
}
