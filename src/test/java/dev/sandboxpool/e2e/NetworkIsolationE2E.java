package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code network: None} on a cluster whose network plugin does not enforce NetworkPolicy (the e2e cluster's bridge
 * plugin): the pool gets its own deny-all policy, and the operator's check from inside a member finds that it does
 * not work, and says so.
 */
class NetworkIsolationE2E {
    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues();

    private static Optional<Condition> isolation(String pool) {
        SandboxPool p = release.pool(pool);
        if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return p.getStatus().getConditions().stream().filter(c -> "NetworkIsolated".equals(c.getType())).findFirst();
    }

    @Test
    void aPoolWithoutNetworkOnAPluginThatDoesNotEnforcePoliciesIsReportedNotIsolated() {
        release.apply(TestPools.pool("python", 1, 1)).ok();

        await("NetworkIsolated=False").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(isolation("python")).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("NotEnforced");
                    assertThat(c.getMessage()).contains("API server").contains("does not enforce NetworkPolicy");
                }));
        NetworkPolicy policy = release.client().network().v1().networkPolicies().inNamespace(release.namespace())
                .withName("python-deny-all").get();
        assertThat(policy).as("the pool's own deny-all policy").isNotNull();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .containsEntry("sandboxpool.dev/pool", "python").containsEntry("sandboxpool.dev/network", "none");
        assertThat(release.members("python")).as("the checked member is back").hasSize(1);
    }
}
