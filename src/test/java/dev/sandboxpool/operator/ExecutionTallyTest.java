package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The executions total of a pool from its members' counts, as a pure object. */
class ExecutionTallyTest {
    private static final ResourceID POOL = new ResourceID("python", "test");

    @Test
    void aMemberThatWentAwayKeepsItsLastCountInTheTotal() {
        ExecutionTally tally = new ExecutionTally();
        tally.observe(POOL, 0, Map.of("a", 0L, "b", 0L));
        tally.observe(POOL, 0, Map.of("a", 2L, "b", 1L));

        tally.gone(POOL, "a", 5);

        assertThat(tally.observe(POOL, 0, Map.of("b", 1L, "c", 0L))).isEqualTo(6);
    }

    @Test
    void aReconcileThatStillReadsAGoneMemberFromTheCacheAddsNothing() {
        ExecutionTally tally = new ExecutionTally();
        tally.observe(POOL, 0, Map.of("a", 0L));
        tally.gone(POOL, "a", 3);

        assertThat(tally.observe(POOL, 0, Map.of("a", 3L))).isEqualTo(3);
    }

    @Test
    void aRestartedOperatorStartsFromTheWrittenStatusAndCountsWhatIsAddedAfter() {
        ExecutionTally restarted = new ExecutionTally();

        // members deleted while no operator ran are in the written 40; the live ones' 7 are too
        assertThat(restarted.observe(POOL, 40, Map.of("a", 7L))).isEqualTo(40);
        assertThat(restarted.observe(POOL, 40, Map.of("a", 9L))).isEqualTo(42);
    }

    @Test
    void aStatusNeverWrittenDoesNotHideWhatThePodsCount() {
        assertThat(new ExecutionTally().observe(POOL, 0, Map.of("a", 4L, "b", 1L))).isEqualTo(5);
    }
}
