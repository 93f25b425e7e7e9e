package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
    void helmInstallWaitReturnsOnlyOnceTheOperatorIsReady() {
        assertThat(release.readyWhenHelmReturned())
                .as("every operator pod Ready when helm install --wait returned").isTrue();
    }

    /**
     * After the uninstall, a release without the example pool: that pool asks for the documented default of one CPU
     * per member, and on a 2-CPU node its second member took the CPU the operator needs to be scheduled again after
     * it stopped (Pending, Insufficient cpu).
     */
    @Test
    @Order(3)
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
        release.awaitOperatorReady();
    }

    @Test
    @Order(2)
    void helmUninstallLeavesNoPodAndNoPoolBehind() {
        await("a member of the example pool").atMost(Duration.ofMinutes(3))
                .untilAsserted(() -> assertThat(release.members("python")).isNotEmpty());

        release.uninstall().ok();

        await("the example pool and every pod gone").atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(release.pool("python")).as("the release's example pool").isNull();
            assertThat(release.client().pods().inNamespace(release.namespace()).list().getItems()).isEmpty();
        });
    }
}
