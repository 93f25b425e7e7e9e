package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whether {@code network: None} holds: the operator tries, from inside an idle member, to reach what a sandbox must
 * not reach, and says what it found in the NetworkIsolated condition. The simulated exec runs the probe as a local
 * process: the mock API server, listening on this machine, plays the reachable API server of a network plugin that
 * does not enforce NetworkPolicy; a network namespace of its own plays one that does.
 */
class NetworkIsolationTest {
    private static final String TYPE = "NetworkIsolated";

    private ClusterHarness h;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void awaitIsolation(String pool, String status, String reason) {
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> assertThat(h.condition(pool, TYPE))
                .hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo(status);
                    assertThat(c.getReason()).isEqualTo(reason);
                }));
    }

    @Test
    void aMemberThatReachesTheApiServerMakesThePoolNotIsolated() {
        URI api = URI.create(h.cluster.url());
        h.createPool("python", MockCluster.spec(1, 2));

        awaitIsolation("python", "False", "NotEnforced");
        assertThat(h.condition("python", TYPE)).hasValueSatisfying(c -> assertThat(c.getMessage())
                .contains("API server " + api.getHost() + ":" + api.getPort())
                .contains("does not enforce NetworkPolicy"));
    }

    @Test
    void aMemberThatReachesNothingMakesThePoolIsolated() {
        h.exec().enforceNetworkPolicy(true);
        h.createPool("python", MockCluster.spec(1, 2));

        awaitIsolation("python", "True", "Enforced");
        assertThat(h.condition("python", TYPE)).hasValueSatisfying(c -> assertThat(c.getMessage())
                .contains("API server"));
    }

    @Test
    void beforeAnyMemberIsReadyTheIsolationIsNotChecked() {
        h.kubelet.failImagePulls(true);
        h.createPool("python", MockCluster.spec(1, 2));

        awaitIsolation("python", "Unknown", "NotChecked");
    }

    @Test
    void aPoolThatAllowsNetworkIsNotCheckedAndHasNoSuchCondition() {
        SandboxPoolSpec spec = MockCluster.spec(1, 2);
        spec.setNetwork(NetworkMode.Allowed);
        h.createPool("open", spec);

        h.awaitReady("open", 1);
        await().during(Duration.ofSeconds(1)).atMost(ClusterHarness.WAIT).until(() -> h.condition("open",
                Condition.TYPE_READY).isPresent() && h.condition("open", TYPE).isEmpty());
        assertThat(h.exec().commands()).noneMatch(c -> String.join(" ", c).contains("socket"));
    }

    @Test
    void theCheckedMemberIsIdleAgainAsIdleAsBefore() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        MemberPod before = h.idlePods("python").get(0);

        awaitIsolation("python", "False", "NotEnforced");
        h.awaitReady("python", 1);
        MemberPod after = h.idlePods("python").get(0);
        assertThat(after.name()).isEqualTo(before.name());
        assertThat(after.stateSince()).isEqualTo(before.stateSince());
        assertThat(after.uses()).isZero();
        assertThat(h.exec().cleaned()).contains(before.name());
    }

    @Test
    void isCheckedAgainAfterTheRecheckInterval() {
        h.exec().enforceNetworkPolicy(true);
        h.createPool("python", MockCluster.spec(1, 2));
        awaitIsolation("python", "True", "Enforced");

        h.exec().enforceNetworkPolicy(false);
        await().during(Duration.ofSeconds(1)).atMost(ClusterHarness.WAIT).untilAsserted(() ->
                assertThat(h.condition("python", TYPE)).hasValueSatisfying(c ->
                        assertThat(c.getReason()).isEqualTo("Enforced")));
        h.clock.advance(Duration.ofMinutes(6));

        awaitIsolation("python", "False", "NotEnforced");
    }

    @Test
    void isCheckedAgainWhenTheSpecHashChanges() {
        h.exec().enforceNetworkPolicy(true);
        h.createPool("python", MockCluster.spec(1, 2));
        awaitIsolation("python", "True", "Enforced");

        h.exec().enforceNetworkPolicy(false);
        h.editSpec("python", s -> s.setImage("sandboxpool/python:other"));

        awaitIsolation("python", "False", "NotEnforced");
    }

    @Test
    void aPoolWithoutNetworkGetsADenyAllNetworkPolicyOfItsOwn() {
        var pool = h.createPool("python", MockCluster.spec(1, 2));

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            List<NetworkPolicy> policies = h.cluster.harness().network().v1().networkPolicies()
                    .inNamespace(MockCluster.NAMESPACE).list().getItems();
            assertThat(policies).singleElement().satisfies(p -> {
                assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "app.kubernetes.io/managed-by", "sandbox-pool",
                        "sandboxpool.dev/pool", "python",
                        "sandboxpool.dev/network", "none"));
                assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
                assertThat(p.getSpec().getIngress()).isNullOrEmpty();
                assertThat(p.getSpec().getEgress()).isNullOrEmpty();
                assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                    assertThat(o.getUid()).isEqualTo(pool.getMetadata().getUid());
                    assertThat(o.getController()).isTrue();
                });
            });
        });
    }

    @Test
    void anEditedNetworkPolicyIsPutBack() {
        h.createPool("python", MockCluster.spec(1, 2));
        var policies = h.cluster.harness().network().v1().networkPolicies().inNamespace(MockCluster.NAMESPACE);
        await().atMost(ClusterHarness.WAIT).until(() -> policies.list().getItems().size() == 1);
        String name = policies.list().getItems().get(0).getMetadata().getName();

        policies.withName(name).edit(p -> {
            p.getSpec().setPolicyTypes(List.of("Ingress"));
            return p;
        });
        h.clock.advance(Duration.ofMinutes(6));

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> assertThat(
                policies.withName(name).get().getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress",
                        "Egress"));
    }
}
