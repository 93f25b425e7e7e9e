package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.cluster.ClusterConfig;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.FakeKubelet;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.cluster.testing.StandardClusterLookup;
import dev.sandboxpool.local.LocalPools;
import dev.sandboxpool.pool.PoolRegistry;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code java -jar sandbox-pool.jar operator}: the operator process as Micronaut wires it, on a mock cluster. */
class OperatorModeTest {
    private MockCluster cluster;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        kubelet = new FakeKubelet(cluster.harness());
    }

    @AfterEach
    void stop() {
        kubelet.close();
        cluster.close();
    }

    private EmbeddedServer run(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("sandboxpool.mode", "operator");
        all.put("sandboxpool.watch-namespaces", MockCluster.NAMESPACE);
        all.put("micronaut.server.port", -1);
        return StandardClusterLookup.with(cluster, MockCluster.OPERATOR, () -> ApplicationContext.run(EmbeddedServer.class, all));
    }

    @Test
    void operatorElectsItselfLeaderReconcilesAndReportsReadiness() throws Exception {
        try (EmbeddedServer server = run(Map.of("sandboxpool.leader-election", true,
                "sandboxpool.leader-election-namespace", MockCluster.NAMESPACE))) {
            ApplicationContext ctx = server.getApplicationContext();
            assertThat(ctx.containsBean(OperatorProcess.class)).isTrue();
            assertThat(ctx.containsBean(PoolRegistry.class)).isFalse();
            assertThat(ctx.containsBean(dev.sandboxpool.status.StatusController.class)).as("no pools, no page")
                    .isFalse();
            assertThat(ctx.containsBean(LocalPools.class)).isFalse();
            assertThat(ctx.containsBean(com.github.dockerjava.api.DockerClient.class)).isFalse();

            cluster.createPool("python", MockCluster.spec(1, 2));

            await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
                var status = cluster.pool("python").getStatus();
                assertThat(status).isNotNull();
                assertThat(status.getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo(Condition.TYPE_READY);
                    assertThat(c.getStatus()).isEqualTo("True");
                });
            });
            Lease leader = cluster.harness().leases().inNamespace(MockCluster.NAMESPACE)
                    .withName(ClusterConfig.LEADER_LEASE).get();
            assertThat(leader).isNotNull();
            assertThat(leader.getSpec().getHolderIdentity()).isNotBlank();
            await().atMost(ClusterHarness.WAIT).until(() -> get(server, "/health/readiness").statusCode() == 200);
        }
    }

    /** Issue 11 item 6: a stopped leader kept its Lease, and a standby waited out its 15 s before reconciling. */
    @Test
    void aStoppedLeaderHandsTheLeaseOver() throws Exception {
        String holder;
        try (EmbeddedServer server = run(Map.of("sandboxpool.leader-election", true,
                "sandboxpool.leader-election-namespace", MockCluster.NAMESPACE))) {
            holder = await().atMost(ClusterHarness.WAIT).until(() -> {
                Lease l = cluster.harness().leases().inNamespace(MockCluster.NAMESPACE)
                        .withName(ClusterConfig.LEADER_LEASE).get();
                return l == null ? null : l.getSpec().getHolderIdentity();
            }, h -> h != null && !h.isBlank());
        }

        Lease after = cluster.harness().leases().inNamespace(MockCluster.NAMESPACE)
                .withName(ClusterConfig.LEADER_LEASE).get();
        assertThat(holder).isNotBlank();
        assertThat(after.getSpec().getHolderIdentity()).as("the holder after the leader stopped").isNullOrEmpty();
    }

    @Test
    void apiInProcessAddsTheLeaseApi() throws Exception {
        try (EmbeddedServer server = run(Map.of("sandboxpool.api-in-process", true))) {
            assertThat(server.getApplicationContext().containsBean(PoolRegistry.class)).isTrue();
            cluster.createPool("python", MockCluster.spec(1, 2));

            await().atMost(ClusterHarness.WAIT).untilAsserted(() ->
                    assertThat(get(server, "/v1/pools/python").body()).contains("\"ready\":1"));
        }
    }

    private static HttpResponse<String> get(EmbeddedServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
