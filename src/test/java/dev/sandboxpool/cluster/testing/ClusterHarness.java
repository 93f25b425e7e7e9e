package dev.sandboxpool.cluster.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.cluster.ClusterConfig;
import dev.sandboxpool.cluster.ClusterPools;
import dev.sandboxpool.cluster.Replica;
import dev.sandboxpool.operator.SandboxPoolOperator;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.PoolWatcher;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A mock cluster with its simulated kubelet, the operator running against it (quick resync, short start-up
 * timeout, a clock the test moves), and as many lease API replicas as a test asks for.
 */
public final class ClusterHarness implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration REPLICA_SYNC_WAIT = Duration.ofSeconds(30);
    private static final String NETWORK_ISOLATED = "NetworkIsolated";

    public final MockCluster cluster = new MockCluster();
    public final FakeKubelet kubelet = new FakeKubelet(cluster.harness());
    public final MutableClock clock = new MutableClock();
    private final SandboxPoolOperator operator;
    private final List<ClusterPools> replicas = new ArrayList<>();

    private final Consumer<ClusterConfig> settings;

    public ClusterHarness() {
        this(config -> {
        });
    }

    /** With the operator's settings changed by {@code settings} after the harness's own. */
    public ClusterHarness(Consumer<ClusterConfig> settings) {
        this.settings = settings;
        operator = newOperator();
        operator.start();
    }

    /** An operator as the harness runs one (quick resync, short start-up timeouts), not started: another process. */
    public SandboxPoolOperator newOperator() {
        ClusterConfig config = new ClusterConfig();
        config.setWatchNamespaces(List.of(MockCluster.NAMESPACE));
        config.setResyncInterval(Duration.ofMillis(300));
        config.setMemberStartupTimeout(Duration.ofSeconds(5));
        config.setInformerSyncTimeout(Duration.ofSeconds(1));
        // the clock stands still unless a test moves it: counts are written as they change
        config.setStatusLeaseCountsInterval(Duration.ZERO);
        settings.accept(config);
        return SandboxPoolOperator.create(cluster.newClient(MockCluster.OPERATOR), config, clock);
    }

    public SandboxPoolOperator operator() {
        return operator;
    }

    /**
     * A lease API replica: its own client, informers and name, as a separate process would have, once its informers
     * synced. On a loaded 2-core machine a replica's first pod listing was seen not to complete in 60 s, with no
     * error from the client (cause not found). That replica is then closed, with a thread dump in the test output
     * for whoever looks into it, and a new one started in its place, as a real replica that never became ready
     * would be restarted.
     */
    public ClusterPools replica(String name) {
        return replica(name, PoolWatcher.NONE);
    }

    /** A replica whose pools are watched by {@code watcher} (metrics). */
    public ClusterPools replica(String name, PoolWatcher watcher) {
        return replica(Replica.named(name), watcher);
    }

    /** A replica with an address its peers forward to. */
    public ClusterPools replica(Replica replica) {
        return replica(replica, PoolWatcher.NONE);
    }

    private ClusterPools replica(Replica replica, PoolWatcher watcher) {
        String name = replica.name();
        for (int attempt = 1; ; attempt++) {
            ClusterPools pools = new ClusterPools(cluster.newClient(MockCluster.API), List.of(MockCluster.NAMESPACE),
                    clock, replica, PoolEvents.NONE, watcher).start();
            try {
                await().atMost(REPLICA_SYNC_WAIT).until(pools::synced);
                replicas.add(pools);
                return pools;
            } catch (ConditionTimeoutException e) {
                String why = "replica " + name + " not synced within " + REPLICA_SYNC_WAIT.toSeconds() + " s: "
                        + pools.unsynced();
                System.out.println(why + "\n" + threadDump());
                pools.close();
                if (attempt == 2) {
                    throw new AssertionError(why, e);
                }
            }
        }
    }

    private static String threadDump() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            out.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (StackTraceElement e : stack) {
                out.append("    at ").append(e).append('\n');
            }
        });
        return out.toString();
    }

    /** The pool {@code name} as {@code replica} serves it, once it does. */
    public static Pool served(ClusterPools replica, String name) {
        await().atMost(WAIT).until(() -> replica.find(name).isPresent());
        return replica.find(name).orElseThrow();
    }

    public SandboxPool createPool(String name, SandboxPoolSpec spec) {
        return cluster.createPool(name, spec);
    }

    /** As {@code kubectl delete sbp}. */
    public void deletePool(String name) {
        cluster.harness().resources(SandboxPool.class).inNamespace(MockCluster.NAMESPACE).withName(name).delete();
    }

    public SandboxPool pool(String name) {
        return cluster.pool(name);
    }

    /** Changes the spec as {@code kubectl edit} would, again when the operator wrote the pool in between. */
    public void editSpec(String name, Consumer<SandboxPoolSpec> change) {
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k
                && k.getCode() == HttpURLConnection.HTTP_CONFLICT).until(() -> {
                    cluster.harness().resources(SandboxPool.class).inNamespace(MockCluster.NAMESPACE).withName(name)
                            .edit(p -> {
                                change.accept(p.getSpec());
                                return p;
                            });
                    return true;
                });
    }

    /** The pool's member pods, terminating ones included. */
    public List<MemberPod> pods(String pool) {
        return cluster.harness().pods().inNamespace(MockCluster.NAMESPACE)
                .withLabel(Labels.POOL, pool).list().getItems().stream().map(MemberPod::new).toList();
    }

    public List<MemberPod> idlePods(String pool) {
        return pods(pool).stream().filter(MemberPod::claimable).toList();
    }

    public Optional<Condition> condition(String pool, String type) {
        SandboxPool p = pool(pool);
        if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /**
     * Waits until the pool has {@code ready} idle members and no others, as status and pods say; for a
     * {@code network: None} pool with members, also until its first network check is done (it holds a member for a
     * moment, which a test must not race with).
     */
    public void awaitReady(String pool, int ready) {
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxPool p = pool(pool);
            if (ready > 0 && p.getSpec().getNetwork() == NetworkMode.None) {
                assertThat(condition(pool, NETWORK_ISOLATED)).hasValueSatisfying(c ->
                        assertThat(c.getReason()).isNotEqualTo("NotChecked"));
            }
            assertThat(idlePods(pool)).hasSize(ready);
            assertThat(pods(pool)).hasSize(ready);
            p = pool(pool);
            assertThat(p.getStatus()).isNotNull();
            assertThat(p.getStatus().getReadyReplicas()).isEqualTo(ready);
            assertThat(p.getStatus().getReplicas()).isEqualTo(ready);
        });
    }

    public FakeExec exec() {
        return cluster.exec();
    }

    public Pod pod(String name) {
        return cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).withName(name).get();
    }

    @Override
    public void close() {
        operator.stop();
        replicas.forEach(ClusterPools::close);
        kubelet.close();
        cluster.close();
    }
}
