package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which idle pod each lease API replica tries first. */
class ClaimOrderTest {
    private static final List<String> IDLE = List.of("python-a1", "python-b2", "python-c3", "python-d4");

    @Test
    void replicasStartFromDifferentIdlePods() {
        Set<String> firstChoices = new HashSet<>();
        IntStream.range(0, 20).forEach(i -> firstChoices.add(ClaimOrder.of("api-" + i, IDLE).get(0)));

        // twenty replicas all racing for one pod would be one first choice; hashed, they spread over the four
        assertThat(firstChoices).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void oneReplicaKeepsItsOrderSoTheOthersStayIdleAndAgeOut() {
        List<String> order = ClaimOrder.of("api-a", IDLE);

        assertThat(order).containsExactlyInAnyOrderElementsOf(IDLE);
        assertThat(ClaimOrder.of("api-a", List.of(IDLE.get(3), IDLE.get(1), IDLE.get(0), IDLE.get(2))))
                .isEqualTo(order);
        // a pod going away leaves the order of the rest as it was (rendezvous hashing)
        List<String> without = order.subList(1, order.size());
        assertThat(ClaimOrder.of("api-a", without)).isEqualTo(without);
    }
}
