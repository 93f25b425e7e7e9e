package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sandboxpool.cluster.testing.ClusterHarness.served;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.Pool;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status.executions} in a cluster: each member pod carries the count of executions it ran (written with the
 * release the lease API already makes), and the operator sums them, those of members that went away included,
 * without writing the status for every execution.
 */
class PoolExecutionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private ClusterHarness h;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private long executions(String pool) {
        return h.pool(pool).getStatus().getExecutions();
    }

    @Test
    void executionsThroughTheLeaseApiAreCountedInTheStatus() {
        // one member only: a slow machine makes the acquire wait a moment, and with room to grow the pool would
        // start a second member for that waiting caller
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");

        Pool.Execution once = pool.runOnce(ExecutionRequest.of("print(1)", TIMEOUT), Duration.ofSeconds(5));
        Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofMinutes(5));
        pool.execute(lease.id(), ExecutionRequest.of("print(2)", TIMEOUT));
        pool.execute(lease.id(), ExecutionRequest.of("print(3)", TIMEOUT));
        pool.release(lease.id());

        assertThat(once.result().stdout()).isEqualTo("1\n");
        h.clock.advance(Duration.ofSeconds(6)); // a change of executions alone may wait 5 s to be written
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> assertThat(executions("python")).isEqualTo(3));
        assertThat(h.pods("python")).extracting(MemberPod::executions).containsExactly(3L);
    }

    @Test
    void executionsOfMembersThatWentAwayStayCounted() {
        SandboxPoolSpec spec = MockCluster.spec(1, 2);
        spec.getReuse().setPolicy(ReusePolicy.SingleUse);
        h.createPool("python", spec);
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");

        String first = pool.runOnce(ExecutionRequest.of("print(1)", TIMEOUT), Duration.ofSeconds(10)).lease()
                .sandbox();
        h.awaitReady("python", 1);
        String second = pool.runOnce(ExecutionRequest.of("print(2)", TIMEOUT), Duration.ofSeconds(10)).lease()
                .sandbox();
        h.awaitReady("python", 1);

        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(first, second);
        h.clock.advance(Duration.ofSeconds(6));
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> assertThat(executions("python")).isEqualTo(2));
    }

    @Test
    void aChangeOfExecutionsAloneIsWrittenAtMostEveryFiveSeconds() {
        h.createPool("python", MockCluster.spec(2, 2));
        h.awaitReady("python", 2);
        await().atMost(ClusterHarness.WAIT).until(() -> h.condition("python", Condition.TYPE_PROGRESSING)
                .map(c -> c.getStatus().equals("False")).orElse(false));
        int written = statusWrites();
        MemberPod idle = h.idlePods("python").get(0);

        // what releases through other replicas write on the pod, in quick succession (the clock stands still)
        for (int count = 1; count <= 3; count++) {
            String value = Integer.toString(count);
            h.cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).withName(idle.name())
                    .edit(p -> {
                        p.getMetadata().getAnnotations().put(MemberPod.EXECUTIONS, value);
                        return p;
                    });
        }

        await().during(Duration.ofMillis(1500)).atMost(ClusterHarness.WAIT).until(() -> statusWrites() == written);
        assertThat(executions("python")).isZero();
        h.clock.advance(Duration.ofSeconds(5));
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> assertThat(executions("python")).isEqualTo(3));
        await().during(Duration.ofMillis(1000)).atMost(ClusterHarness.WAIT)
                .until(() -> statusWrites() == written + 1);
    }

    /** Issue 11 item 14: leases and releases in quick succession are not one status write each. */
    @Test
    void leasesInQuickSuccessionAreNotOneStatusWriteEach() {
        h.close();
        h = new ClusterHarness(config -> config.setStatusLeaseCountsInterval(Duration.ofSeconds(2)));
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        await().atMost(ClusterHarness.WAIT).until(() -> h.condition("python", Condition.TYPE_PROGRESSING)
                .map(c -> c.getStatus().equals("False")).orElse(false));
        Pool pool = served(h.replica("api-a"), "python");
        h.clock.advance(Duration.ofSeconds(3)); // the last write is past the interval
        AtomicInteger before = new AtomicInteger(-1);
        await().during(Duration.ofSeconds(1)).atMost(ClusterHarness.WAIT)
                .until(() -> {
                    int now = statusWrites();
                    return before.getAndSet(now) == now; // no write for a second
                });
        int written = statusWrites();

        // the clock stands still: all of these are within the interval after the first write they cause
        for (int i = 0; i < 5; i++) {
            Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofMinutes(5));
            pool.release(lease.id());
            await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);
        }
        await().pollDelay(Duration.ofSeconds(1)).atMost(ClusterHarness.WAIT).until(() -> true);
        // the first lease's, and at most one more (10 without holding the counts back)
        assertThat(statusWrites() - written).as("status writes for 5 leases").isLessThanOrEqualTo(2);

        h.clock.advance(Duration.ofSeconds(3));
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            assertThat(h.pool("python").getStatus().getReadyReplicas()).isEqualTo(1);
            assertThat(h.pool("python").getStatus().getLeasedReplicas()).isZero();
        });
    }

    /** A member being cleaned after its lease is warm, not starting: the pool does not become Progressing. */
    @Test
    void aLeaseAndTheCleanUpAfterItFlipNoCondition() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        await().atMost(ClusterHarness.WAIT).until(() -> h.condition("python", Condition.TYPE_PROGRESSING)
                .map(c -> c.getStatus().equals("False")).orElse(false));
        List<Condition> before = h.pool("python").getStatus().getConditions();
        List<SandboxPool> seen = new CopyOnWriteArrayList<>();
        Pool pool = served(h.replica("api-a"), "python");
        try (Watch watch = h.cluster.harness().resources(SandboxPool.class).inNamespace(MockCluster.NAMESPACE)
                .withName("python").watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, SandboxPool resource) {
                        seen.add(resource);
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofMinutes(5));
            pool.execute(lease.id(), ExecutionRequest.of("print(1)", TIMEOUT));
            pool.release(lease.id());

            await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
                assertThat(h.exec().cleaned()).contains(lease.sandbox());
                assertThat(new MemberPod(h.pod(lease.sandbox())).state()).isEqualTo(MemberState.READY);
                assertThat(h.pool("python").getStatus().getReadyReplicas()).isEqualTo(1);
            });
        }

        assertThat(seen).isNotEmpty().allSatisfy(p -> assertThat(p.getStatus().getConditions())
                .extracting(Condition::getType, Condition::getStatus, Condition::getLastTransitionTime)
                .containsExactlyElementsOf(before.stream()
                        .map(c -> org.assertj.core.groups.Tuple.tuple(c.getType(), c.getStatus(),
                                c.getLastTransitionTime()))
                        .toList()));
        assertThat(seen).allSatisfy(p -> assertThat(p.getStatus().getStartingReplicas()).isZero());
    }

    private int statusWrites() {
        return h.cluster.sent(s -> s.path().contains("/sandboxpools/") && s.path().contains("/status")
                && (s.method().equals("PATCH") || s.method().equals("PUT"))).size();
    }
}
