package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a replica gives a free one-shot reservation back to other replicas' callers. */
class ReserveShareTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    private static SandboxPool pool(Map<String, String> annotations) {
        SandboxPool pool = new SandboxPool();
        pool.setMetadata(new ObjectMetaBuilder().withName("python").withNamespace("default").withUid("u")
                .withAnnotations(new HashMap<>(annotations)).build());
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:latest");
        pool.setSpec(spec);
        return pool;
    }

    /** {@code held[i]} pods reserved by replica {@code api-i}, and {@code idle} more. */
    private static List<Pod> pods(SandboxPool owner, int idle, int... held) {
        List<Pod> pods = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < held.length; i++) {
            for (int j = 0; j < held[i]; j++) {
                Pod pod = PodEdits.toIdle(SandboxPodFactory.build(owner, PoolSpecValidator.validate("python",
                        owner.getSpec()), "python-" + n++, NOW), NOW);
                pods.add(PodEdits.claim(pod, "t" + n, NOW, NOW.plusSeconds(30), "api-" + i));
            }
        }
        for (int j = 0; j < idle; j++) {
            pods.add(PodEdits.toIdle(SandboxPodFactory.build(owner, PoolSpecValidator.validate("python",
                    owner.getSpec()), "python-" + n++, NOW), NOW));
        }
        return pods;
    }

    @Test
    void nothingGoesBackWhileNoOtherReplicaWaits() {
        SandboxPool pool = pool(Map.of(Demand.key("api-0"), Demand.value(3, NOW)));

        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 8), "api-0", 8, NOW)).isFalse();
    }

    @Test
    void aReplicaAboveItsShareGivesBackToAnotherThatWaits() {
        SandboxPool pool = pool(Map.of(Demand.key("api-1"), Demand.value(1, NOW)));

        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 5, 3), "api-0", 5, NOW)).isTrue();
        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 6, 0), "api-0", 6, NOW)).isTrue();
    }

    /** Two busy replicas with half each: before, they handed pods to each other in turn, two writes a time. */
    @Test
    void aReplicaWithinItsShareKeepsItsPods() {
        SandboxPool pool = pool(Map.of(Demand.key("api-1"), Demand.value(1, NOW)));

        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 4, 4), "api-0", 4, NOW)).isFalse();
        assertThat(ReserveShare.giveBack(pool, pods(pool, 1, 4, 3), "api-0", 4, NOW)).isFalse();
    }

    @Test
    void withFewerPodsThanReplicasThatWantThemTheyTakeTurns() {
        SandboxPool pool = pool(Map.of(Demand.key("api-1"), Demand.value(1, NOW), Demand.key("api-2"),
                Demand.value(1, NOW)));

        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 1), "api-0", 1, NOW)).isTrue();
    }

    @Test
    void aStaleDemandIsNoReason() {
        SandboxPool pool = pool(Map.of(Demand.key("api-1"), Demand.value(1, NOW.minus(Demand.FRESH_FOR)
                .minusSeconds(1))));

        assertThat(ReserveShare.giveBack(pool, pods(pool, 0, 1), "api-0", 1, NOW)).isFalse();
    }
}
