package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An operator that starts while the API server does not answer (an outage, a control-plane restart, a node that
 * comes up first) waits for it instead of exiting into a crash loop, says it is not ready meanwhile, and reconciles
 * the pools that exist once the API server is back, from a complete listing of their pods.
 */
class OperatorStartupOutageTest {
    private static final Duration START_WAIT = Duration.ofSeconds(10);
    private ClusterHarness h;
    private SandboxPoolOperator second;

    @AfterEach
    void stop() {
        if (second != null) {
            second.stop();
        }
        if (h != null) {
            h.close();
        }
    }

    private static void pause(Duration d) {
        await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
    }

    @Test
    void anOperatorStartedDuringAnOutageServesItsHealthSoonAndReconcilesOnceTheApiServerAnswers() {
        h = new ClusterHarness();
        h.operator().stop();
        h.createPool("python", MockCluster.spec(2, 2));
        h.cluster.startOutage();

        // a new operator process while every request it makes gets a 503
        second = h.newOperator();
        long started = System.nanoTime();
        second.start();
        // start() returns, and the process goes on to serve its health endpoints, long before the SDK's default of
        // 2 minutes per informer, which kept it from answering its startup probe
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(START_WAIT);
        assertThat(second.runtimeInfo().isStarted()).isTrue();
        pause(Duration.ofSeconds(2));
        assertThat(second.runtimeInfo().allEventSourcesAreHealthy()).as("ready during the outage").isFalse();
        assertThat(h.pods("python")).as("pods made during the outage").isEmpty();
        assertThat(h.cluster.sent(s -> s.status() == 503)).as("the operator tried").isNotEmpty();

        h.cluster.endOutage();

        // the informers retry with a back-off that grew during the outage (seconds, not minutes)
        await().atMost(Duration.ofSeconds(60)).until(() -> second.runtimeInfo().allEventSourcesAreHealthy());
        h.awaitReady("python", 2);
    }

    /** Checked without the reconciler's wait for the pod listing: the new operator then started two more pods. */
    @Test
    void anOperatorWhosePodInformerHasNotListedYetStartsNoSecondSetOfMembers() {
        h = new ClusterHarness();
        h.createPool("python", MockCluster.spec(2, 2));
        h.awaitReady("python", 2);
        h.operator().stop();

        // a new operator process whose pod listings fail for now, while it can read and reconcile the pool
        h.cluster.startOutage(MockCluster.podListing());
        second = h.newOperator();
        second.start();
        pause(Duration.ofSeconds(3));
        assertThat(h.pods("python")).as("members while the pods were not listed").hasSize(2);

        h.cluster.endOutage();
        await().atMost(Duration.ofSeconds(60)).until(() -> second.runtimeInfo().allEventSourcesAreHealthy());
        h.awaitReady("python", 2);
    }
}
