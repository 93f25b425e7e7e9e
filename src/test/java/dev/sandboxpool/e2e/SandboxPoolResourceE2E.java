package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a user does with SandboxPool resources through kubectl, with the operator the chart installed. */
class SandboxPoolResourceE2E {
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues();

    @Test
    void kubectlGetShowsMinMaxReadyLeasedStatusAndAge() {
        release.apply(TestPools.pool("columns", 1, 2)).ok();
        awaitReady("columns");

        List<String> lines = release.kubectl("get", "sbp", "columns").ok().stdout().lines().toList();

        assertThat(Arrays.asList(lines.get(0).trim().split("\\s+")))
                .containsExactly("NAME", "MIN", "MAX", "READY", "LEASED", "STATUS", "AGE");
        assertThat(Arrays.asList(lines.get(1).trim().split("\\s+")).subList(0, 6))
                .containsExactly("columns", "1", "2", "1", "0", "PoolReady");
    }

    @Test
    void poolIsReadyOnceMinSizeMembersAreReady() {
        release.apply(TestPools.pool("ready", 2, 3)).ok();

        awaitReady("ready");

        SandboxPool pool = release.pool("ready");
        Condition ready = condition(pool, "Ready");
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("PoolReady");
        assertThat(pool.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(readyPods(release.members("ready"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(release.kubectl("wait", "sbp/ready", "--for=condition=Ready", "--timeout=10s").ok().stdout())
                .contains("condition met");
    }

    @Test
    void kubectlExplainDescribesTheSpecFields() {
        String explained = release.kubectl("explain", "sandboxpool.spec").ok().stdout();

        // kubectl 1.34 prints GROUP and VERSION apart; older ones print VERSION: group/version
        assertThat(explained).contains("KIND:", "SandboxPool", "sandboxpool.dev", "v1alpha1");
        assertThat(explained).contains("minSize", "maxSize", "image", "reuse", "resources", "lease",
                "Container image of the sandbox");
        assertThat(release.kubectl("explain", "sandboxpool.spec.minSize").ok().stdout())
                .contains("FIELD: minSize <integer>", "Members the pool keeps at all times");
    }

    @Test
    void kubectlScaleSetsMinSizeAndThePoolGrows() {
        release.apply(TestPools.pool("scaled", 1, 3)).ok();
        awaitReady("scaled");

        release.kubectl("scale", "sbp/scaled", "--replicas=3").ok();

        assertThat(release.pool("scaled").getSpec().getMinSize()).isEqualTo(3);
        await("3 ready members of scaled").atMost(READY_TIMEOUT).untilAsserted(() -> {
            assertThat(readyPods(release.members("scaled"))).hasSize(3);
            assertThat(release.pool("scaled").getStatus().getReadyReplicas()).isEqualTo(3);
        });
        assertThat(release.kubectl("get", "sbp", "scaled", "-o", "jsonpath={.status.replicas}").ok().stdout())
                .isEqualTo("3");
    }

    @Test
    void aSpecWithMinSizeAboveMaxSizeIsRefusedWithBothValues() {
        CommandLine.Result refused = release.apply(TestPools.pool("inverted", 4, 2));

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("spec.minSize: must not be greater than spec.maxSize (4 > 2)");
        assertThat(release.pool("inverted")).isNull();
    }

    @Test
    void aDeletedMemberPodIsReplaced() {
        release.apply(TestPools.pool("replaced", 2, 3)).ok();
        awaitReady("replaced");
        String victim = release.members("replaced").get(0).getMetadata().getName();

        release.kubectl("delete", "pod", victim, "--wait=false").ok();

        await("a member instead of " + victim).atMost(READY_TIMEOUT).untilAsserted(() -> {
            Set<String> ready = names(readyPods(release.members("replaced")));
            assertThat(ready).hasSize(2).doesNotContain(victim);
        });
        awaitReady("replaced");

        // kubectl describe tells the replacement (issue 16): every member's creation and readiness, as Events
        Set<String> members = names(release.members("replaced"));
        await("the replacement in kubectl describe").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String described = release.kubectl("describe", "sbp", "replaced").ok().stdout();
            assertThat(described).contains("Events:").contains("MemberCreated").contains("MemberReady")
                    .contains("created pod " + victim);
            members.forEach(m -> assertThat(described).contains("created pod " + m).contains("pod " + m + " ready"));
        });
    }

    @Test
    void deletingAPoolDeletesItsPods() {
        release.apply(TestPools.pool("deleted", 2, 2)).ok();
        awaitReady("deleted");
        assertThat(release.members("deleted")).hasSize(2);

        release.kubectl("delete", "sbp", "deleted", "--wait", "--timeout=2m").ok();

        assertThat(release.pool("deleted")).isNull();
        await("no pods of deleted").atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(release.members("deleted")).isEmpty());
    }

    void awaitReady(String pool) {
        await(pool + " Ready").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            SandboxPool p = release.pool(pool);
            assertThat(p).isNotNull();
            assertThat(p.getStatus()).isNotNull();
            assertThat(condition(p, "Ready").getStatus()).as("Ready of %s: %s", pool, p.getStatus().getConditions())
                    .isEqualTo("True");
        });
    }

    static Condition condition(SandboxPool pool, String type) {
        return pool.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition: " + pool.getStatus()));
    }

    static List<Pod> readyPods(List<Pod> pods) {
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    static Set<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }
}
