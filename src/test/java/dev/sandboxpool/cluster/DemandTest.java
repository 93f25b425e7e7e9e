package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Waiting callers as replicas publish them on the SandboxPool: summed while fresh, ignored once stale. */
class DemandTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static SandboxPool pool(Map<String, String> annotations) {
        SandboxPool pool = new SandboxPool();
        pool.getMetadata().setAnnotations(new HashMap<>(annotations));
        return pool;
    }

    @Test
    void freshEntriesOfEveryReplicaAreSummed() {
        SandboxPool pool = pool(Map.of(
                Demand.key("api-a"), Demand.value(2, NOW.minusSeconds(5)),
                Demand.key("api-b"), Demand.value(3, NOW),
                "other.example/annotation", "7 " + NOW));

        assertThat(Demand.waiting(pool, NOW)).isEqualTo(5);
    }

    @Test
    void staleMalformedAndRemovedEntriesCountNothing() {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Demand.key("gone"), Demand.value(4, NOW.minus(Demand.FRESH_FOR).minusSeconds(1)));
        annotations.put(Demand.key("garbled"), "many");
        annotations.put(Demand.key("removed"), null);

        assertThat(Demand.waiting(pool(annotations), NOW)).isZero();
        assertThat(Demand.annotations(pool(annotations))).containsOnlyKeys(Demand.key("gone"), Demand.key("garbled"));
    }

    @Test
    void replicaNamesBecomeValidAnnotationKeys() {
        assertThat(Demand.key("sandbox-pool-7d9c6b5f4-x2x9z"))
                .isEqualTo("waiting.sandboxpool.dev/sandbox-pool-7d9c6b5f4-x2x9z");
        assertThat(Demand.key("host:with/odd chars")).isEqualTo("waiting.sandboxpool.dev/host-with-odd-chars");
        assertThat(Demand.key("x".repeat(100)).substring(Demand.PREFIX.length())).hasSize(63);
    }
}
