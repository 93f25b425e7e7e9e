package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorDeploymentTest {
    private static final String API_DEPLOYMENT = HelmChart.RELEASE + "-api";

    /** The operator's Deployment. */
    private static Deployment deployment(List<HasMetadata> objects) {
        return deployment(objects, HelmChart.RELEASE);
    }

    private static Deployment apiDeployment(List<HasMetadata> objects) {
        return deployment(objects, API_DEPLOYMENT);
    }

    private static Deployment deployment(List<HasMetadata> objects, String name) {
        return HelmChart.ofType(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static Container container(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    private static Optional<EnvVar> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    private static Map<String, String> config(List<HasMetadata> objects) {
        return HelmChart.single(objects, ConfigMap.class).getData();
    }

    /**
     * {@code helm install --wait} waits for replicas - maxUnavailable Ready pods: with 1 replica and maxUnavailable 1
     * (as before) it returned at once, before the operator was up (seen on a real cluster, ChartLifecycleE2E).
     */
    @Test
    void rollsOutWithoutEverHavingFewerReadyPodsThanReplicas() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        for (Deployment deployment : List.of(deployment(objects), apiDeployment(objects))) {
            assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                    .isEqualTo(new IntOrString(0));
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
                    .isEqualTo(new IntOrString(1));
        }
    }

    /** The network check tries the operator's own address from inside network: None members. */
    @Test
    void theOperatorKnowsItsPodIpForTheNetworkCheck() {
        Container operator = container(deployment(HelmChart.withDefaults().render()), "operator");

        assertThat(env(operator, "SANDBOXPOOL_POD_IP"))
                .map(e -> e.getValueFrom().getFieldRef().getFieldPath()).contains("status.podIP");
    }

    /** API replicas elect no leader: old and new side by side is what keeps the Service serving. */
    @Test
    void withoutLeaderElectionStopsTheOldOperatorPodBeforeTheNewOneStartsButRollsTheApi() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("leaderElection.enabled", false).render();

        assertThat(deployment(objects).getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment(objects).getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(apiDeployment(objects).getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    }

    @Test
    void runsTheOperatorAndTheLeaseApiAsTwoDeploymentsByDefault() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();
        Deployment deployment = deployment(objects);
        Deployment apiDeployment = apiDeployment(objects);

        assertThat(HelmChart.ofType(objects, Deployment.class)).hasSize(2);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName).containsExactly("operator");
        assertThat(apiDeployment.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName).containsExactly("api");
        assertThat(apiDeployment.getSpec().getReplicas()).isEqualTo(1);
        Container operator = container(deployment, "operator");
        Container api = container(apiDeployment, "api");
        assertThat(operator.getArgs()).containsExactly("operator");
        assertThat(api.getArgs()).containsExactly("api");
        assertThat(env(operator, "SANDBOXPOOL_PORT")).map(EnvVar::getValue).contains("8081");
        assertThat(env(api, "SANDBOXPOOL_PORT")).map(EnvVar::getValue).contains("8080");
        assertThat(env(api, "SANDBOXPOOL_API_TOKEN")).hasValueSatisfying(token -> {
            assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("sandbox-pool-api-token");
            assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        });
        assertThat(env(operator, "SANDBOXPOOL_API_TOKEN")).isEmpty();
        assertThat(env(operator, "SANDBOXPOOL_LEADER_ELECTION_NAMESPACE"))
                .map(e -> e.getValueFrom().getFieldRef().getFieldPath()).contains("metadata.namespace");
        // the API elects no leader; it knows its pod IP, which it writes on the pods it leases for its peers
        assertThat(env(api, "SANDBOXPOOL_LEADER_ELECTION_NAMESPACE")).isEmpty();
        assertThat(env(api, "SANDBOXPOOL_POD_IP"))
                .map(e -> e.getValueFrom().getFieldRef().getFieldPath()).contains("status.podIP");
        assertThat(config(objects)).containsEntry("SANDBOXPOOL_HOST", "0.0.0.0")
                .containsEntry("SANDBOXPOOL_WATCH_NAMESPACES", HelmChart.NAMESPACE)
                .containsEntry("SANDBOXPOOL_LEADER_ELECTION", "true")
                .containsEntry("SANDBOXPOOL_API_IN_PROCESS", "false");
        for (Container c : List.of(operator, api)) {
            assertThat(c.getEnvFrom()).singleElement()
                    .satisfies(from -> assertThat(from.getConfigMapRef().getName()).isEqualTo("sandbox-pool"));
        }
        Service service = HelmChart.single(objects, Service.class);
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort()).isEqualTo(new IntOrString("api")));
        assertThat(service.getSpec().getSelector())
                .isEqualTo(apiDeployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void eachDeploymentRunsAsItsOwnServiceAccount() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        assertThat(deployment(objects).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("sandbox-pool");
        assertThat(apiDeployment(objects).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("sandbox-pool-api");
        assertThat(apiDeployment(HelmChart.withDefaults().set("api.serviceAccount.name", "lease-api").render())
                .getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("lease-api");
    }

    /** Overlapping selectors would have each Deployment's ReplicaSets count (and fight over) the other's pods. */
    @Test
    void theTwoDeploymentsNeverSelectEachOthersPods() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();
        Deployment operator = deployment(objects);
        Deployment api = apiDeployment(objects);

        Map<String, String> operatorPods = operator.getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> apiPods = api.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(operatorPods).containsAllEntriesOf(operator.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "operator");
        assertThat(apiPods).containsAllEntriesOf(api.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "api");
        assertThat(api.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", "api");
        assertThat(operator.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "operator");
    }

    @Test
    void apiReplicasFollowTheirOwnCount() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("api.replicaCount", 3).render();

        assertThat(apiDeployment(objects).getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment(objects).getSpec().getReplicas()).isEqualTo(1);
    }

    /** The metrics Service scrapes both kinds of pods; the PodDisruptionBudget guards the operator's. */
    @Test
    void metricsCoverBothDeploymentsAndTheDisruptionBudgetTheOperator() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("serviceMonitor.enabled", true)
                .set("podDisruptionBudget.enabled", true).set("replicaCount", 2).render();

        Service metrics = HelmChart.ofType(objects, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("sandbox-pool-metrics")).findFirst().orElseThrow();
        assertThat(metrics.getSpec().getSelector()).doesNotContainKey("app.kubernetes.io/component");
        assertThat(deployment(objects).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(metrics.getSpec().getSelector());
        assertThat(apiDeployment(objects).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(metrics.getSpec().getSelector());
        assertThat(metrics.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal())
                .containsExactlyInAnyOrder("operator", "api");
        PodDisruptionBudget pdb = HelmChart.single(objects, PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment(objects).getSpec().getSelector().getMatchLabels());
    }

    @Test
    void apiInProcessRunsOneContainerThatServesTheApiOnTheOperatorPort() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("api.inProcess", true).render();
        Deployment deployment = HelmChart.single(objects, Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName).containsExactly("operator");
        Container operator = container(deployment, "operator");
        assertThat(config(objects)).containsEntry("SANDBOXPOOL_API_IN_PROCESS", "true");
        assertThat(env(operator, "SANDBOXPOOL_API_TOKEN")).isPresent();
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .extracting(v -> v.getName()).containsExactly("operator-tmp");
        Service service = HelmChart.single(objects, Service.class);
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort()).isEqualTo(new IntOrString("operator")));
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(HelmChart.ofType(objects, ServiceAccount.class)).extracting(s -> s.getMetadata().getName())
                .containsExactly("sandbox-pool");
    }

    @Test
    void everyContainerRunsRestricted() {
        for (String values : List.of("", "api:\n  inProcess: true\n")) {
            for (Deployment deployment : HelmChart.ofType(HelmChart.withDefaults().values(values).render(),
                    Deployment.class)) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();

                assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
                assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
                assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
                assertThat(pod.getContainers()).isNotEmpty().allSatisfy(c -> {
                    SecurityContext sc = c.getSecurityContext();
                    assertThat(sc.getRunAsNonRoot()).isTrue();
                    assertThat(sc.getRunAsUser()).isEqualTo(65532L);
                    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
                    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
                    assertThat(sc.getPrivileged()).isFalse();
                    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
                    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
                    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
                    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
                    assertThat(env(c, "JAVA_TOOL_OPTIONS")).map(EnvVar::getValue).hasValueSatisfying(
                            opts -> assertThat(opts).contains("-Djava.io.tmpdir=/tmp"));
                });
                assertThat(pod.getVolumes()).isNotEmpty()
                        .allSatisfy(v -> assertThat(v.getEmptyDir()).as("volume %s", v.getName()).isNotNull());
                assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(60L);
                assertThat(pod.getEnableServiceLinks()).isFalse();
            }
        }
    }

    @Test
    void probesCallTheHealthEndpointsOfEachContainer() {
        List<HasMetadata> objects = HelmChart.withDefaults().render();

        for (String name : List.of("operator", "api")) {
            Container c = container(name.equals("api") ? apiDeployment(objects) : deployment(objects), name);
            IntOrString port = new IntOrString(name);
            assertThat(c.getPorts()).extracting(p -> p.getName()).containsExactly(name);
            assertProbe(c.getLivenessProbe(), "/health/liveness", port);
            assertProbe(c.getReadinessProbe(), "/health/readiness", port);
            assertProbe(c.getStartupProbe(), "/health/liveness", port);
        }
    }

    private static void assertProbe(Probe probe, String path, IntOrString port) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort()).isEqualTo(port);
    }

    @Test
    void configChecksumChangesWithTheConfigSoPodsRoll() {
        String defaults = checksum(HelmChart.withDefaults().render());
        String again = checksum(HelmChart.withDefaults().render());
        String namespaced = checksum(HelmChart.withDefaults().values("watchNamespaces: [team-a]\n").render());
        String noLeader = checksum(HelmChart.withDefaults().set("leaderElection.enabled", false).render());

        assertThat(defaults).matches("[0-9a-f]{64}").isEqualTo(again);
        assertThat(apiDeployment(HelmChart.withDefaults().render()).getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/config")).isEqualTo(defaults);
        assertThat(namespaced).matches("[0-9a-f]{64}").isNotEqualTo(defaults);
        assertThat(noLeader).isNotEqualTo(defaults).isNotEqualTo(namespaced);
    }

    private static String checksum(List<HasMetadata> objects) {
        return deployment(objects).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    @Test
    void watchNamespacesAndLeaderElectionReachTheOperatorConfig() {
        Map<String, String> config = config(HelmChart.withDefaults()
                .values("watchNamespaces: [team-a, team-b]\nleaderElection:\n  enabled: false\n").render());

        assertThat(config).containsEntry("SANDBOXPOOL_WATCH_NAMESPACES", "team-a,team-b")
                .containsEntry("SANDBOXPOOL_LEADER_ELECTION", "false");
        assertThat(config(HelmChart.withDefaults().set("watchAllNamespaces", true).render()))
                .containsEntry("SANDBOXPOOL_WATCH_NAMESPACES", "");
    }

    @Test
    void imageDefaultsToTheChartAppVersionAndFollowsTheValues() {
        Deployment defaults = deployment(HelmChart.withDefaults().render());
        Deployment custom = deployment(HelmChart.withDefaults()
                .set("image.repository", "registry.example.com/sandbox-pool/operator").set("image.tag", "1.2.3")
                .render());

        assertThat(defaults.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getImage).containsOnly("sandboxpool/operator:0.1.0");
        assertThat(custom.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getImage).containsOnly("registry.example.com/sandbox-pool/operator:1.2.3");
        assertThat(apiDeployment(HelmChart.withDefaults().set("image.tag", "1.2.3").render()).getSpec().getTemplate()
                .getSpec().getContainers()).extracting(Container::getImage).containsOnly("sandboxpool/operator:1.2.3");
    }

    @Test
    void moreThanOneReplicaWithoutLeaderElectionIsRefused() {
        assertThatThrownBy(() -> HelmChart.withDefaults()
                        .set("replicaCount", 2).set("leaderElection.enabled", false).yaml())
                .hasMessageContaining("replicaCount > 1 needs leaderElection.enabled=true");
    }
}
