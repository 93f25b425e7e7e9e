package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.cluster.testing.ApiCallLog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes call the operator and lease API made in the Kubernetes-mode tests is allowed by the chart's
 * rendered RBAC. An *IT only so that it runs after those unit tests have recorded their calls
 * ({@link ApiCallLog}); it needs no Docker.
 */
class ChartRbacCoversApiCallsIT {
    /** API group of each resource the product touches. */
    private static final Map<String, String> GROUPS = Map.of(
            "pods", "", "pods/exec", "", "sandboxpools", "sandboxpool.dev", "sandboxpools/status", "sandboxpool.dev",
            "leases", "coordination.k8s.io", "networkpolicies", "networking.k8s.io");
    /** Allowed to every authenticated user by Kubernetes' default RBAC: JOSDK asks what it may do. */
    private static final List<String> ALWAYS_ALLOWED = List.of("create selfsubjectrulesreviews");

    @Test
    void everyRecordedCallIsGrantedByTheChart() throws Exception {
        assertThat(ApiCallLog.FILE).as("recorded by the Kubernetes-mode tests (mvn test runs them first)").exists();
        List<String> calls = Files.readAllLines(ApiCallLog.FILE).stream().filter(c -> !c.isBlank()).toList();
        List<HasMetadata> objects = HelmChart.withDefaults().set("leaderElection.enabled", true).render();
        List<PolicyRule> rules = new ArrayList<>();
        HelmChart.ofType(objects, ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
        HelmChart.ofType(objects, Role.class).forEach(r -> rules.addAll(r.getRules()));

        assertThat(calls).contains("create pods", "update pods", "patch sandboxpools/status");
        for (String call : calls) {
            if (ALWAYS_ALLOWED.contains(call)) {
                continue;
            }
            String verb = call.substring(0, call.indexOf(' '));
            String resource = call.substring(call.indexOf(' ') + 1);
            assertThat(GROUPS).as("the API group of " + resource).containsKey(resource);
            assertThat(rules).as(call).anySatisfy(rule -> {
                assertThat(rule.getApiGroups()).contains(GROUPS.get(resource));
                assertThat(rule.getResources()).contains(resource);
                assertThat(rule.getVerbs()).contains(verb);
            });
        }
    }
}
