package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxNetworkPolicyTest {
    @Test
    void deniesAllTrafficOfSandboxPodsWithoutNetwork() {
        NetworkPolicy policy = HelmChart.single(HelmChart.withDefaults().render(), NetworkPolicy.class);

        assertThat(policy.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "app.kubernetes.io/managed-by", "sandbox-pool",
                        "sandboxpool.dev/network", "none"));
        assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).isEmpty();
        assertThat(policy.getSpec().getEgress()).isEmpty();
        assertThat(policy.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }

    @Test
    void leavesPodsOfPoolsThatAllowNetworkAlone() {
        NetworkPolicy policy = HelmChart.single(HelmChart.withDefaults().render(), NetworkPolicy.class);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .doesNotContainEntry("sandboxpool.dev/network", "allowed")
                .doesNotContainKey("sandboxpool.dev/pool");
    }

    @Test
    void followsTheWatchedNamespacesOrTheListedOnes() {
        List<NetworkPolicy> watched = HelmChart.ofType(
                HelmChart.withDefaults().values("watchNamespaces: [team-a, team-b]\n").render(), NetworkPolicy.class);
        List<NetworkPolicy> listed = HelmChart.ofType(HelmChart.withDefaults()
                .values("watchNamespaces: [team-a]\nnetworkPolicy:\n  namespaces: [pools]\n").render(), NetworkPolicy.class);

        assertThat(watched).extracting(p -> p.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(listed).extracting(p -> p.getMetadata().getNamespace()).containsExactly("pools");
    }

    /** Pools elsewhere get the operator's per-pool policy; the chart cannot know every namespace. */
    @Test
    void watchingEveryNamespaceCoversTheReleaseNamespaceOrTheListedOnes() {
        List<NetworkPolicy> all = HelmChart.ofType(
                HelmChart.withDefaults().set("watchAllNamespaces", true).render(), NetworkPolicy.class);
        List<NetworkPolicy> listed = HelmChart.ofType(HelmChart.withDefaults().set("watchAllNamespaces", true)
                .values("networkPolicy:\n  namespaces: [pools]\n").render(), NetworkPolicy.class);

        assertThat(all).extracting(p -> p.getMetadata().getNamespace()).containsExactly(HelmChart.NAMESPACE);
        assertThat(listed).extracting(p -> p.getMetadata().getNamespace()).containsExactly("pools");
    }

    @Test
    void canBeTurnedOff() {
        assertThat(HelmChart.ofType(HelmChart.withDefaults().set("networkPolicy.enabled", false).render(),
                NetworkPolicy.class)).isEmpty();
    }
}
