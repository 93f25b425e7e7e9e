package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events on a pool, against the mock API server: a repeat is counted on the first, never a flood of objects. */
class PoolEventRecorderTest {
    private final ClusterHarness h = new ClusterHarness();
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        writer.shutdownNow();
        h.close();
    }

    private List<Event> events() {
        return h.cluster.harness().events().v1().events().inNamespace(MockCluster.NAMESPACE).list().getItems();
    }

    @Test
    void aRepeatWithinTheWindowIsCountedOnTheFirstEvent() {
        SandboxPool pool = h.createPool("python", MockCluster.spec(0, 1));
        PoolEventRecorder events = new PoolEventRecorder(h.cluster.harness(), h.clock, writer, "test-operator");

        for (int i = 0; i < 5; i++) {
            events.warning(pool, "StartFailing", "Create", "cannot create pod: image not found");
        }
        events.normal(pool, "MemberCreated", "Create", "created pod python-1");

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            assertThat(events()).hasSize(2);
            Event failing = events().stream().filter(e -> e.getReason().equals("StartFailing")).findFirst()
                    .orElseThrow();
            assertThat(failing.getType()).isEqualTo("Warning");
            assertThat(failing.getSeries()).isNotNull();
            assertThat(failing.getSeries().getCount()).isEqualTo(5);
            assertThat(failing.getReportingInstance()).isEqualTo("test-operator");
        });
    }

    @Test
    void aRepeatAfterTheWindowIsAnEventOfItsOwn() {
        SandboxPool pool = h.createPool("python", MockCluster.spec(0, 1));
        PoolEventRecorder events = new PoolEventRecorder(h.cluster.harness(), h.clock, writer, "test-operator");

        events.normal(pool, "MemberRetired", "Retire", "retired pod python-1: older than maxAge");
        await().atMost(ClusterHarness.WAIT).until(() -> events().size() == 1);
        h.clock.advance(PoolEventRecorder.SERIES_WINDOW.plusSeconds(1));
        events.normal(pool, "MemberRetired", "Retire", "retired pod python-1: older than maxAge");

        await().atMost(ClusterHarness.WAIT).until(() -> events().size() == 2);
        assertThat(events()).allSatisfy(e -> assertThat(e.getSeries()).isNull());
    }
}
