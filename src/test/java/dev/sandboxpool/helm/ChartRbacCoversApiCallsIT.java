package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.cluster.testing.ApiCallLog;
import dev.sandboxpool.cluster.testing.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes call the operator and lease API made in the Kubernetes-mode tests is allowed by the chart's
 * rendered RBAC, for the ServiceAccount of the process that made it: the operator's calls by the rules bound to the
 * operator's ServiceAccount, a lease API replica's by those bound to the API's. An *IT only so that it runs after
 * those unit tests have recorded their calls ({@link ApiCallLog}); it needs no Docker.
 */
class ChartRbacCoversApiCallsIT {
    /** API group of each resource the product touches. */
    private static final Map<String, String> GROUPS = Map.of(
            "pods", "", "pods/exec", "", "sandboxpools", "sandboxpool.dev", "sandboxpools/status", "sandboxpool.dev",
            "leases", "coordination.k8s.io", "networkpolicies", "networking.k8s.io",
            // the product writes events.k8s.io/v1 Events only, never core/v1 ones
            "events", "events.k8s.io");
    /** Allowed to every authenticated user by Kubernetes' default RBAC: JOSDK asks what it may do. */
    private static final List<String> ALWAYS_ALLOWED = List.of("create selfsubjectrulesreviews");
    /** The ServiceAccount of each process in the default release. */
    private static final Map<String, String> SERVICE_ACCOUNTS = Map.of(
            MockCluster.OPERATOR, HelmChart.RELEASE, MockCluster.API, HelmChart.RELEASE + "-api");

    @Test
    void everyRecordedCallIsGrantedToTheServiceAccountOfTheProcessThatMadeIt() throws Exception {
        assertThat(ApiCallLog.FILE).as("recorded by the Kubernetes-mode tests (mvn test runs them first)").exists();
        List<String> calls = Files.readAllLines(ApiCallLog.FILE).stream().filter(c -> !c.isBlank()).toList();
        List<HasMetadata> objects = HelmChart.withDefaults().set("leaderElection.enabled", true).render();

        assertThat(calls).contains("operator create pods", "operator delete pods", "operator patch sandboxpools/status",
                "api update pods", "api patch sandboxpools");
        for (String line : calls) {
            String[] parts = line.split(" ", 3);
            assertThat(parts).as("process verb resource: " + line).hasSize(3);
            String process = parts[0];
            String verb = parts[1];
            String resource = parts[2];
            if (ALWAYS_ALLOWED.contains(verb + " " + resource)) {
                continue;
            }
            assertThat(SERVICE_ACCOUNTS).as("the ServiceAccount of process " + process).containsKey(process);
            assertThat(GROUPS).as("the API group of " + resource).containsKey(resource);
            assertThat(rulesOf(objects, SERVICE_ACCOUNTS.get(process))).as(line).anySatisfy(rule -> {
                assertThat(rule.getApiGroups()).contains(GROUPS.get(resource));
                assertThat(rule.getResources()).contains(resource);
                assertThat(rule.getVerbs()).contains(verb);
            });
        }
    }

    /** The rules of every Role and ClusterRole bound to this ServiceAccount of the release namespace. */
    private static List<PolicyRule> rulesOf(List<HasMetadata> objects, String serviceAccount) {
        List<RoleRef> refs = new ArrayList<>();
        HelmChart.ofType(objects, RoleBinding.class).stream().filter(b -> binds(b.getSubjects(), serviceAccount))
                .forEach(b -> refs.add(b.getRoleRef()));
        HelmChart.ofType(objects, ClusterRoleBinding.class).stream().filter(b -> binds(b.getSubjects(), serviceAccount))
                .forEach(b -> refs.add(b.getRoleRef()));
        List<PolicyRule> rules = new ArrayList<>();
        for (RoleRef ref : refs) {
            if (ref.getKind().equals("Role")) {
                HelmChart.ofType(objects, Role.class).stream()
                        .filter(r -> r.getMetadata().getName().equals(ref.getName()))
                        .forEach(r -> rules.addAll(r.getRules()));
            } else {
                HelmChart.ofType(objects, ClusterRole.class).stream()
                        .filter(r -> r.getMetadata().getName().equals(ref.getName()))
                        .forEach(r -> rules.addAll(r.getRules()));
            }
        }
        return rules;
    }

    private static boolean binds(List<Subject> subjects, String serviceAccount) {
        return subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                && s.getName().equals(serviceAccount) && s.getNamespace().equals(HelmChart.NAMESPACE));
    }
}
