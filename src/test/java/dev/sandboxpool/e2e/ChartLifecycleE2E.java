package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Installing, stopping and uninstalling the operator around pools: what must hold whether or not an operator runs.
 * The release creates the chart's example pool, which belongs to it and goes with the uninstall.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartLifecycleE2E {
    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues("examplePool.enabled", "true");

    @Test
    @Order(1)
    void helmInstallWaitReturnsOnlyOnceTheOperatorAndTheApiAreReady() {
        assertThat(release.readyWhenHelmReturned())
                .as("every operator and API pod Ready when helm install --wait returned").isTrue();
    }

    /**
     * Issue 11 defect 12, asked of the real API server: the API's ServiceAccount, whose process parses untrusted
     * requests, can claim and exec into member pods but neither create nor delete one, and the operator's reaches no
     * namespace but the release's by default.
     */
    @Test
    @Order(2)
    void theApiCannotCreateOrDeletePodsAndTheOperatorStaysInItsNamespace() {
        String ns = release.namespace();
        String api = ChartRelease.API_FULLNAME;
        String operator = ChartRelease.FULLNAME;

        assertThat(release.canI(api, "create", "pods", ns)).as("api: create pods").isFalse();
        assertThat(release.canI(api, "delete", "pods", ns)).as("api: delete pods").isFalse();
        assertThat(release.canI(api, "patch", "pods", ns)).as("api: patch pods").isFalse();
        assertThat(release.canI(api, "update", "pods", ns)).as("api: update pods (lease claims)").isTrue();
        assertThat(release.canI(api, "create", "pods/exec", ns)).as("api: exec into pods").isTrue();
        assertThat(release.canI(api, "patch", "sandboxpools.sandboxpool.dev", ns)).as("api: demand").isTrue();
        assertThat(release.canI(api, "patch", "sandboxpools.sandboxpool.dev/status", ns)).as("api: status").isFalse();
        assertThat(release.canI(api, "create", "networkpolicies.networking.k8s.io", ns)).isFalse();
        assertThat(release.canI(api, "get", "leases.coordination.k8s.io", ns)).as("api: leases").isFalse();

        assertThat(release.canI(operator, "create", "pods", ns)).as("operator: create pods here").isTrue();
        assertThat(release.canI(operator, "delete", "pods", ns)).as("operator: delete pods here").isTrue();
        assertThat(release.canI(operator, "patch", "sandboxpools.sandboxpool.dev/status", ns)).as("operator: status")
                .isTrue();
        assertThat(release.canI(operator, "create", "events.events.k8s.io", ns)).as("operator: events").isTrue();
        assertThat(release.canI(operator, "delete", "events.events.k8s.io", ns)).as("operator: delete events")
                .isFalse();
        assertThat(release.canI(api, "create", "events.events.k8s.io", ns)).as("api: events").isFalse();
        for (String elsewhere : List.of("default", "kube-system")) {
            assertThat(release.canI(operator, "create", "pods", elsewhere)).as("operator: pods in " + elsewhere)
                    .isFalse();
            assertThat(release.canI(operator, "create", "pods/exec", elsewhere)).isFalse();
            assertThat(release.canI(api, "update", "pods", elsewhere)).as("api: pods in " + elsewhere).isFalse();
        }
    }

    /**
     * After the uninstall, a release without the example pool: that pool asks for the documented default of one CPU
     * per member, and on a 2-CPU node its second member took the CPU the operator needs to be scheduled again after
     * it stopped (Pending, Insufficient cpu).
     */
    @Test
    @Order(4)
    void deletingAPoolWithTheOperatorStoppedRemovesItsPods() {
        release.install(Map.of("examplePool.enabled", "false"));
        release.apply(TestPools.pool("orphaned", 1, 1)).ok();
        await("a member of orphaned").atMost(Duration.ofMinutes(3))
                .untilAsserted(() -> assertThat(release.members("orphaned")).isNotEmpty());
        release.collectLogs("before the operator stops");
        release.kubectl("scale", "deployment/" + ChartRelease.FULLNAME, "--replicas=0").ok();
        await("no operator pod").atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(release.operatorPods()).isEmpty());

        CommandLine.Result deleted = release.kubectl("delete", "sbp", "orphaned", "--wait", "--timeout=60s");

        assertThat(deleted.exitCode()).as("kubectl delete with no operator: %s", deleted.output()).isZero();
        assertThat(release.pool("orphaned")).isNull();
        await("no pods of orphaned").atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(release.members("orphaned")).isEmpty());

        release.kubectl("scale", "deployment/" + ChartRelease.FULLNAME, "--replicas=1").ok();
        release.awaitReady();
    }

    @Test
    @Order(3)
    void helmUninstallLeavesNoPodNoPoolAndNoIdentityBehind() {
        await("a member of the example pool").atMost(Duration.ofMinutes(3))
                .untilAsserted(() -> assertThat(release.members("python")).isNotEmpty());

        release.uninstall().ok();

        await("the example pool and every pod gone").atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(release.pool("python")).as("the release's example pool").isNull();
            assertThat(release.client().pods().inNamespace(release.namespace()).list().getItems()).isEmpty();
        });
        CommandLine.Result left = release.kubectl("get", "deployments,serviceaccounts,roles,rolebindings",
                "-l", "app.kubernetes.io/instance=" + ChartRelease.RELEASE, "-o", "name");
        assertThat(left.ok().stdout()).as("the release's Deployments, ServiceAccounts and RBAC").isBlank();
    }
}
