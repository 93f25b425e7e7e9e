package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChartRendersTest {
    @Test
    void passesStrictLint() {
        LintResult lint = new Helm(HelmChart.DIR).lint().strict().call();

        assertThat(lint.isFailed()).as("lint messages %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    static Stream<Arguments> documentedOptions() {
        return Stream.of(
                Arguments.of("defaults", ""),
                Arguments.of("watchNamespaces", "watchNamespaces: [team-a, team-b]\n"),
                Arguments.of("watchAllNamespaces", "watchAllNamespaces: true\n"),
                Arguments.of("two API replicas", "api:\n  replicaCount: 2\n"),
                Arguments.of("leader election off", "leaderElection:\n  enabled: false\n"),
                Arguments.of("leader election on, two replicas", "leaderElection:\n  enabled: true\nreplicaCount: 2\n"),
                Arguments.of("api in process", "api:\n  inProcess: true\n"),
                Arguments.of("serviceMonitor", "serviceMonitor:\n  enabled: true\n  labels:\n    release: prometheus\n"),
                Arguments.of("pdb", "podDisruptionBudget:\n  enabled: true\n  minAvailable: 50%\nreplicaCount: 2\n"),
                Arguments.of("example pool", "examplePool:\n  enabled: true\nsandboxImage: registry.example.com/python:1\n"),
                Arguments.of("existing token Secret", "api:\n  token:\n    existingSecret: my-token\n    secretKey: api-token\n"),
                Arguments.of("network policy in listed namespaces", "networkPolicy:\n  namespaces: [pools-a, pools-b]\n"),
                Arguments.of("no ServiceAccount, RBAC or NetworkPolicy", """
                        serviceAccount:
                          create: false
                          name: mine
                        api:
                          serviceAccount:
                            create: false
                            name: mine-api
                        rbac:
                          create: false
                        networkPolicy:
                          enabled: false
                        """),
                Arguments.of("scheduling", """
                        nodeSelector:
                          kubernetes.io/os: linux
                        tolerations:
                          - key: dedicated
                            operator: Equal
                            value: sandboxes
                            effect: NoSchedule
                        priorityClassName: system-cluster-critical
                        imagePullSecrets:
                          - name: registry
                        podAnnotations:
                          example.com/team: platform
                        """),
                Arguments.of("API ServiceAccount annotations", """
                        api:
                          serviceAccount:
                            name: lease-api
                            annotations:
                              example.com/role: lease-api
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedOptions")
    void everyDocumentedOptionRendersObjectsFabric8CanRead(String option, String values) {
        String yaml = HelmChart.withDefaults().values(values).yaml();

        List<HasMetadata> objects = HelmChart.parse(yaml);

        assertThat(objects).hasSameSizeAs(HelmChart.documents(yaml)).isNotEmpty();
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.getApiVersion()).isNotBlank();
            assertThat(o.getKind()).isNotBlank();
            assertThat(o.getMetadata().getName()).isNotBlank();
        });
        assertThat(objects).extracting(HasMetadata::getKind).contains("Deployment", "Service", "ConfigMap");
    }

    @Test
    void defaultsRenderTheOperatorTheApiAndTheirSupportingObjects() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "ServiceAccount/sandbox-pool",
                        "ServiceAccount/sandbox-pool-api",
                        "Secret/sandbox-pool-api-token",
                        "ConfigMap/sandbox-pool",
                        "Role/sandbox-pool",
                        "RoleBinding/sandbox-pool",
                        "Role/sandbox-pool-api",
                        "RoleBinding/sandbox-pool-api",
                        "Role/sandbox-pool-leader-election",
                        "RoleBinding/sandbox-pool-leader-election",
                        "Service/sandbox-pool",
                        "Deployment/sandbox-pool",
                        "Deployment/sandbox-pool-api",
                        "NetworkPolicy/sandbox-pool-sandbox-deny-all");
    }

    @Test
    void optionalObjectsAppearOnlyWhenEnabled() {
        List<HasMetadata> objects = HelmChart.withDefaults()
                .set("serviceMonitor.enabled", true)
                .set("podDisruptionBudget.enabled", true)
                .set("replicaCount", 2)
                .set("examplePool.enabled", true)
                .render();

        assertThat(objects).extracting(HasMetadata::getKind)
                .contains("ServiceMonitor", "PodDisruptionBudget", "SandboxPool");
        assertThat(HelmChart.withDefaults().render()).extracting(HasMetadata::getKind)
                .doesNotContain("ServiceMonitor", "PodDisruptionBudget", "SandboxPool");
    }
}
