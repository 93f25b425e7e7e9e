package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RbacTest {
    /** The calls of the application's contract: resource → verbs. */
    private static final Map<String, List<String>> CONTRACT = Map.of(
            "sandboxpool.dev/sandboxpools", List.of("get", "list", "watch", "patch"),
            "sandboxpool.dev/sandboxpools/status", List.of("patch"),
            // pods owned with blockOwnerDeletion (issue 11 item 13): OwnerReferencesPermissionEnforcement asks for it
            "sandboxpool.dev/sandboxpools/finalizers", List.of("update"),
            "/pods", List.of("get", "list", "watch", "create", "delete", "update"),
            "/pods/exec", List.of("create", "get"),
            "networking.k8s.io/networkpolicies", List.of("get", "create", "update"));

    private static List<PolicyRule> rules(List<HasMetadata> objects) {
        List<PolicyRule> rules = new ArrayList<>();
        HelmChart.ofType(objects, ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
        HelmChart.ofType(objects, Role.class).forEach(r -> rules.addAll(r.getRules()));
        return rules;
    }

    private static boolean grants(PolicyRule rule, String resource) {
        return rule.getResources().contains(resource);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "watchNamespaces: [team-a, team-b]\n", "leaderElection:\n  enabled: false\n"})
    void noRuleUsesWildcards(String values) {
        List<PolicyRule> rules = rules(HelmChart.withDefaults().values(values).render());

        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
            assertThat(rule.getResources()).isNotEmpty().doesNotContain("*").noneMatch(r -> r.contains("*"));
            assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        });
    }

    @Test
    void clusterWideByDefaultWithExactlyTheContractsVerbs() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        ClusterRole role = HelmChart.single(objects, ClusterRole.class);
        Map<String, List<String>> granted = new HashMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).hasSize(1);
            for (String resource : rule.getResources()) {
                granted.merge(rule.getApiGroups().get(0) + "/" + resource, rule.getVerbs(),
                        (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
            }
        }
        assertThat(granted.keySet()).containsExactlyInAnyOrderElementsOf(CONTRACT.keySet());
        CONTRACT.forEach((resource, verbs) ->
                assertThat(granted.get(resource)).as(resource).containsExactlyInAnyOrderElementsOf(verbs));

        ClusterRoleBinding binding = HelmChart.single(objects, ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("sandbox-pool");
            assertThat(s.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
        });
    }

    @Test
    void leaseRightsOnlyWithLeaderElection() {
        List<HasMetadata> on = HelmChart.withDefaults().set("leaderElection.enabled", true).render();
        List<HasMetadata> off = HelmChart.withDefaults().set("leaderElection.enabled", false).render();

        assertThat(rules(off)).noneMatch(rule -> grants(rule, "leases"));
        assertThat(rules(off)).noneMatch(rule -> rule.getApiGroups().contains("coordination.k8s.io"));
        List<PolicyRule> leaseRules = rules(on).stream().filter(rule -> grants(rule, "leases")).toList();
        assertThat(leaseRules).isNotEmpty().allSatisfy(rule ->
                assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io"));
        assertThat(leaseRules.stream().flatMap(rule -> rule.getVerbs().stream()))
                .containsExactlyInAnyOrder("get", "create", "update", "patch");
        assertThat(leaseRules).filteredOn(rule -> rule.getVerbs().contains("update")).singleElement()
                .satisfies(rule -> assertThat(rule.getResourceNames()).containsExactly("sandbox-pool-operator"));
        Role leaseRole = HelmChart.ofType(on, Role.class).stream()
                .filter(r -> r.getRules().stream().anyMatch(rule -> grants(rule, "leases"))).findFirst().orElseThrow();
        assertThat(leaseRole.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
        assertThat(HelmChart.ofType(on, RoleBinding.class))
                .anySatisfy(b -> assertThat(b.getRoleRef().getName()).isEqualTo(leaseRole.getMetadata().getName()));
        assertThat(HelmChart.ofType(off, RoleBinding.class)).isEmpty();
    }

    @Test
    void watchedNamespacesGetRolesAndNoClusterRoleGrantsPods() {
        List<HasMetadata> objects = HelmChart.withDefaults().values("watchNamespaces: [team-a, team-b]\n").render();

        List<Role> podRoles = HelmChart.ofType(objects, Role.class).stream()
                .filter(r -> r.getRules().stream().anyMatch(rule -> grants(rule, "pods"))).toList();
        assertThat(podRoles).extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(HelmChart.ofType(objects, ClusterRole.class)).isEmpty();
        assertThat(HelmChart.ofType(objects, ClusterRoleBinding.class)).isEmpty();
        // The only other Role is the leader-election one, beside the operator.
        assertThat(HelmChart.ofType(objects, Role.class)).filteredOn(r -> !podRoles.contains(r))
                .singleElement().satisfies(r -> {
                    assertThat(r.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
                    assertThat(r.getRules()).allSatisfy(rule -> assertThat(rule.getResources()).containsExactly("leases"));
                });
        for (Role role : podRoles) {
            Optional<RoleBinding> binding = HelmChart.ofType(objects, RoleBinding.class).stream()
                    .filter(b -> b.getMetadata().getNamespace().equals(role.getMetadata().getNamespace())).findFirst();
            assertThat(binding).hasValueSatisfying(b -> {
                assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
                assertThat(b.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
                assertThat(b.getSubjects()).singleElement()
                        .satisfies(s -> assertThat(s.getNamespace()).isEqualTo(HelmChart.NAMESPACE));
            });
        }
    }

    @Test
    void everyRuleSaysWhatNeedsIt() {
        String yaml = HelmChart.withDefaults().yaml();

        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).stripLeading().startsWith("- apiGroups:")) {
                StringBuilder comment = new StringBuilder();
                for (int j = i - 1; j >= 0 && lines.get(j).stripLeading().startsWith("#"); j--) {
                    comment.insert(0, lines.get(j).strip() + "\n");
                }
                assertThat(comment.toString()).as("comment above rule at line %d", i + 1)
                        .containsPattern("(?m)^# (operator|api): ");
            }
        }
        assertThat(lines).filteredOn(l -> l.stripLeading().startsWith("- apiGroups:")).hasSize(8);
    }

    @Test
    void rbacCanBeLeftToTheUser() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("rbac.create", false).render();

        assertThat(objects).extracting(HasMetadata::getKind)
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    }
}
