package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RbacTest {
    private static final String OPERATOR = HelmChart.RELEASE;
    private static final String API = HelmChart.RELEASE + "-api";
    private static final String LEADER_ELECTION = HelmChart.RELEASE + "-leader-election";

    /** The operator's calls (and the in-process API's, a subset): resource → verbs. */
    private static final Map<String, List<String>> OPERATOR_CONTRACT = Map.of(
            "sandboxpool.dev/sandboxpools", List.of("get", "list", "watch", "patch"),
            "sandboxpool.dev/sandboxpools/status", List.of("patch"),
            // pods owned with blockOwnerDeletion (issue 11 item 13): OwnerReferencesPermissionEnforcement asks for it
            "sandboxpool.dev/sandboxpools/finalizers", List.of("update"),
            "/pods", List.of("get", "list", "watch", "create", "delete", "update"),
            "/pods/exec", List.of("create", "get"),
            "networking.k8s.io/networkpolicies", List.of("get", "create", "update"),
            // what it did to a pool, as Events on it (issue 16); a repeat patches the first's series
            "events.k8s.io/events", List.of("create", "patch"));

    /** The lease API's calls: it claims, executes in and releases pods, and never creates or deletes one. */
    private static final Map<String, List<String>> API_CONTRACT = Map.of(
            "sandboxpool.dev/sandboxpools", List.of("get", "list", "watch", "patch"),
            "/pods", List.of("get", "list", "watch", "update"),
            "/pods/exec", List.of("create", "get"));

    private static List<PolicyRule> rules(List<HasMetadata> objects) {
        List<PolicyRule> rules = new ArrayList<>();
        HelmChart.ofType(objects, ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
        HelmChart.ofType(objects, Role.class).forEach(r -> rules.addAll(r.getRules()));
        return rules;
    }

    /** group/resource → verbs of these rules. */
    private static Map<String, List<String>> granted(List<PolicyRule> rules) {
        Map<String, List<String>> granted = new HashMap<>();
        for (PolicyRule rule : rules) {
            assertThat(rule.getApiGroups()).hasSize(1);
            for (String resource : rule.getResources()) {
                granted.merge(rule.getApiGroups().get(0) + "/" + resource, rule.getVerbs(),
                        (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
            }
        }
        return granted;
    }

    private static void assertExactly(List<PolicyRule> rules, Map<String, List<String>> contract) {
        Map<String, List<String>> granted = granted(rules);
        assertThat(granted.keySet()).containsExactlyInAnyOrderElementsOf(contract.keySet());
        contract.forEach((resource, verbs) ->
                assertThat(granted.get(resource)).as(resource).containsExactlyInAnyOrderElementsOf(verbs));
    }

    private static Role role(List<HasMetadata> objects, String name, String namespace) {
        return HelmChart.ofType(objects, Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals(name) && r.getMetadata().getNamespace().equals(namespace))
                .findFirst().orElseThrow(() -> new AssertionError("no Role " + namespace + "/" + name));
    }

    private static RoleBinding roleBinding(List<HasMetadata> objects, String name, String namespace) {
        return HelmChart.ofType(objects, RoleBinding.class).stream()
                .filter(b -> b.getMetadata().getName().equals(name) && b.getMetadata().getNamespace().equals(namespace))
                .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding " + namespace + "/" + name));
    }

    private static void assertBindsServiceAccount(List<Subject> subjects, String serviceAccount) {
        assertThat(subjects).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(serviceAccount);
            assertThat(s.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
        });
    }

    private static boolean grants(PolicyRule rule, String resource) {
        return rule.getResources().contains(resource);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "watchNamespaces: [team-a, team-b]\n", "watchAllNamespaces: true\n",
            "leaderElection:\n  enabled: false\n", "api:\n  inProcess: true\n"})
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
    void byDefaultEachServiceAccountGetsARoleInTheReleaseNamespaceOnly() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        assertThat(HelmChart.ofType(objects, ClusterRole.class)).isEmpty();
        assertThat(HelmChart.ofType(objects, ClusterRoleBinding.class)).isEmpty();
        assertThat(HelmChart.ofType(objects, Role.class)).extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder(OPERATOR, API, LEADER_ELECTION);
        assertThat(HelmChart.ofType(objects, Role.class)).extracting(r -> r.getMetadata().getNamespace())
                .containsOnly(HelmChart.NAMESPACE);
        assertThat(HelmChart.ofType(objects, RoleBinding.class)).extracting(b -> b.getMetadata().getNamespace())
                .containsOnly(HelmChart.NAMESPACE);
        assertThat(HelmChart.ofType(objects, ServiceAccount.class)).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder(OPERATOR, API);
    }

    static Stream<Arguments> processes() {
        return Stream.of(Arguments.of(OPERATOR, OPERATOR_CONTRACT), Arguments.of(API, API_CONTRACT));
    }

    /** The operator and the API each get exactly their contract, bound to their own ServiceAccount. */
    @ParameterizedTest
    @MethodSource("processes")
    void eachProcessGetsExactlyItsContractBoundToItsOwnServiceAccount(String process,
            Map<String, List<String>> contract) {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        assertExactly(role(objects, process, HelmChart.NAMESPACE).getRules(), contract);
        RoleBinding binding = roleBinding(objects, process, HelmChart.NAMESPACE);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(process);
        assertBindsServiceAccount(binding.getSubjects(), process);
    }

    /** The API parses untrusted requests: whatever the values, nothing bound to its ServiceAccount makes pods. */
    @ParameterizedTest
    @ValueSource(strings = {"", "watchNamespaces: [team-a, team-b]\n", "watchAllNamespaces: true\n",
            "leaderElection:\n  enabled: false\n"})
    void noRuleBoundToTheApiServiceAccountCreatesOrDeletesPods(String values) {
        List<HasMetadata> objects = HelmChart.withDefaults().values(values).render();

        List<String> apiRoles = Stream.concat(
                HelmChart.ofType(objects, RoleBinding.class).stream()
                        .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(API)))
                        .map(b -> b.getRoleRef().getKind() + "/" + b.getRoleRef().getName()),
                HelmChart.ofType(objects, ClusterRoleBinding.class).stream()
                        .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(API)))
                        .map(b -> b.getRoleRef().getKind() + "/" + b.getRoleRef().getName())).toList();
        List<PolicyRule> apiRules = new ArrayList<>();
        HelmChart.ofType(objects, Role.class).stream()
                .filter(r -> apiRoles.contains("Role/" + r.getMetadata().getName()))
                .forEach(r -> apiRules.addAll(r.getRules()));
        HelmChart.ofType(objects, ClusterRole.class).stream()
                .filter(r -> apiRoles.contains("ClusterRole/" + r.getMetadata().getName()))
                .forEach(r -> apiRules.addAll(r.getRules()));

        assertThat(apiRoles).isNotEmpty();
        assertThat(apiRules).isNotEmpty().allSatisfy(rule -> {
            if (rule.getApiGroups().contains("") && rule.getResources().contains("pods")) {
                assertThat(rule.getVerbs()).doesNotContain("create", "delete", "deletecollection", "patch");
            }
            assertThat(rule.getResources()).doesNotContain("sandboxpools/status", "networkpolicies", "leases");
        });
    }

    @Test
    void watchAllNamespacesGivesEachServiceAccountAClusterRole() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("watchAllNamespaces", true).render();

        List<ClusterRole> roles = HelmChart.ofType(objects, ClusterRole.class);
        assertThat(roles).extracting(r -> r.getMetadata().getName()).containsExactlyInAnyOrder(OPERATOR, API);
        assertExactly(roles.stream().filter(r -> r.getMetadata().getName().equals(OPERATOR)).findFirst()
                .orElseThrow().getRules(), OPERATOR_CONTRACT);
        assertExactly(roles.stream().filter(r -> r.getMetadata().getName().equals(API)).findFirst()
                .orElseThrow().getRules(), API_CONTRACT);
        for (String name : List.of(OPERATOR, API)) {
            ClusterRoleBinding binding = HelmChart.ofType(objects, ClusterRoleBinding.class).stream()
                    .filter(b -> b.getMetadata().getName().equals(name)).findFirst().orElseThrow();
            assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(binding.getRoleRef().getName()).isEqualTo(name);
            assertBindsServiceAccount(binding.getSubjects(), name);
        }
        // the only Role left is the leader-election one
        assertThat(HelmChart.ofType(objects, Role.class)).extracting(r -> r.getMetadata().getName())
                .containsExactly(LEADER_ELECTION);
    }

    @Test
    void watchAllNamespacesWithListedNamespacesIsRefused() {
        assertThatThrownBy(() -> HelmChart.withDefaults().set("watchAllNamespaces", true)
                        .values("watchNamespaces: [team-a]\n").yaml())
                .hasMessageContaining("watchAllNamespaces=true serves every namespace: leave watchNamespaces empty");
    }

    @Test
    void leaseRightsOnlyWithLeaderElectionAndOnlyForTheOperator() {
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
        Role leaseRole = role(on, LEADER_ELECTION, HelmChart.NAMESPACE);
        assertThat(leaseRole.getRules()).allSatisfy(rule -> assertThat(rule.getResources()).containsExactly("leases"));
        assertBindsServiceAccount(roleBinding(on, LEADER_ELECTION, HelmChart.NAMESPACE).getSubjects(), OPERATOR);
        assertThat(HelmChart.ofType(off, RoleBinding.class)).extracting(b -> b.getMetadata().getName())
                .doesNotContain(LEADER_ELECTION);
    }

    @Test
    void watchedNamespacesGetRolesForBothServiceAccountsAndNoClusterRole() {
        List<HasMetadata> objects = HelmChart.withDefaults().values("watchNamespaces: [team-a, team-b]\n").render();

        assertThat(HelmChart.ofType(objects, ClusterRole.class)).isEmpty();
        assertThat(HelmChart.ofType(objects, ClusterRoleBinding.class)).isEmpty();
        for (String namespace : List.of("team-a", "team-b")) {
            assertExactly(role(objects, OPERATOR, namespace).getRules(), OPERATOR_CONTRACT);
            assertExactly(role(objects, API, namespace).getRules(), API_CONTRACT);
            assertBindsServiceAccount(roleBinding(objects, OPERATOR, namespace).getSubjects(), OPERATOR);
            assertBindsServiceAccount(roleBinding(objects, API, namespace).getSubjects(), API);
        }
        // the release namespace is not watched: only the leader-election Role is there
        assertThat(HelmChart.ofType(objects, Role.class))
                .filteredOn(r -> r.getMetadata().getNamespace().equals(HelmChart.NAMESPACE))
                .extracting(r -> r.getMetadata().getName()).containsExactly(LEADER_ELECTION);
    }

    @Test
    void apiInProcessRunsUnderTheOperatorsServiceAccountAndRules() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("api.inProcess", true).render();

        assertThat(HelmChart.ofType(objects, Role.class)).extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder(OPERATOR, LEADER_ELECTION);
        assertExactly(role(objects, OPERATOR, HelmChart.NAMESPACE).getRules(), OPERATOR_CONTRACT);
        assertThat(HelmChart.ofType(objects, ServiceAccount.class)).extracting(s -> s.getMetadata().getName())
                .containsExactly(OPERATOR);
        // the operator's rules cover every call of the API
        Map<String, List<String>> operator = granted(role(objects, OPERATOR, HelmChart.NAMESPACE).getRules());
        API_CONTRACT.forEach((resource, verbs) -> assertThat(operator.get(resource)).as(resource).containsAll(verbs));
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
        // 7 of the operator, 3 of the API, 2 for the leader-election Lease
        assertThat(lines).filteredOn(l -> l.stripLeading().startsWith("- apiGroups:")).hasSize(12);
    }

    @Test
    void rbacCanBeLeftToTheUser() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("rbac.create", false).render();

        assertThat(objects).extracting(HasMetadata::getKind)
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    }
}
