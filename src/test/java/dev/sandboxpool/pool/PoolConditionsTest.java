package dev.sandboxpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolConditionsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Condition of(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    /** Issue 11 item 8: every pod refused by the API server, and the pool said Progressing=False Stable. */
    @Test
    void aPoolShortOfItsShapeBecauseMembersFailToStartIsNotStable() {
        var in = new PoolConditions.Inputs(4, 4, 0, 0, 0, 0, 0, 0, 0, 3,
                "cannot create pod python-1a2b: pods \"python-1a2b\" is forbidden: RuntimeClass \"gvisor\" not found");

        List<Condition> conditions = new PoolConditions().update(in, NOW);

        Condition progressing = of(conditions, Condition.TYPE_PROGRESSING);
        assertThat(progressing.getStatus()).isEqualTo("False");
        assertThat(progressing.getReason()).isEqualTo(Condition.REASON_START_FAILING);
        assertThat(progressing.getMessage()).startsWith("0 of 4 members: ").contains("RuntimeClass \"gvisor\"");
        assertThat(of(conditions, Condition.TYPE_READY).getReason()).isEqualTo(Condition.REASON_START_FAILING);
    }

    @Test
    void aPoolAtItsShapeIsStable() {
        var in = new PoolConditions.Inputs(1, 2, 1, 1, 0, 0, 0, 0, 0, 0, null);

        Condition progressing = of(new PoolConditions().update(in, NOW), Condition.TYPE_PROGRESSING);

        assertThat(progressing.getStatus()).isEqualTo("False");
        assertThat(progressing.getReason()).isEqualTo(Condition.REASON_STABLE);
    }

    /** Issue 12: with minSize 0, "at least minSize warm" is always true, and a pool none of whose members start said Ready. */
    @Test
    void aPoolOfMinSizeZeroWhoseMembersFailToStartIsNotReady() {
        var in = new PoolConditions.Inputs(0, 2, 0, 0, 0, 0, 0, 0, 1, 2, "image sandboxpool/nope:latest not found");

        Condition ready = of(new PoolConditions().update(in, NOW), Condition.TYPE_READY);

        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo(Condition.REASON_START_FAILING);
        assertThat(ready.getMessage()).contains("image sandboxpool/nope:latest not found");
    }

    @Test
    void aPoolOfMinSizeZeroWithAWarmMemberIsReadyWhileAnotherFailsToStart() {
        var in = new PoolConditions.Inputs(0, 2, 1, 1, 0, 0, 0, 0, 0, 1, "out of disk");

        List<Condition> conditions = new PoolConditions().update(in, NOW);

        assertThat(of(conditions, Condition.TYPE_READY).getStatus()).isEqualTo("True");
        assertThat(of(conditions, Condition.TYPE_DEGRADED).getReason()).isEqualTo(Condition.REASON_START_FAILING);
    }

    @Test
    void anIdlePoolOfMinSizeZeroIsReady() {
        var in = new PoolConditions.Inputs(0, 2, 0, 0, 0, 0, 0, 0, 0, 0, null);

        assertThat(of(new PoolConditions().update(in, NOW), Condition.TYPE_READY).getStatus()).isEqualTo("True");
    }
}
