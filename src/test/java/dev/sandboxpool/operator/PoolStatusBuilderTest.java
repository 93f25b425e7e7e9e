package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.api.v1alpha1.SandboxPoolStatus;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Status from members, as a pure function: counts, conditions, and transition times that only move on a flip. */
class PoolStatusBuilderTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final PoolStatusBuilder.Starts NO_PROBLEM = new PoolStatusBuilder.Starts(0, null, Optional.empty());

    private static PoolSettings settings(int min, int max) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("python:3");
        spec.setMinSize(min);
        spec.setMaxSize(max);
        return PoolSpecValidator.validate("python", spec);
    }

    private static List<MemberSnapshot> members(MemberState... states) {
        List<MemberSnapshot> out = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            out.add(new MemberSnapshot("m" + i, states[i], "h", T0, null, 0, null, 0, false));
        }
        return out;
    }

    private static Condition condition(SandboxPoolStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void countsMembersByStateAndNamesTheSelector() {
        SandboxPoolStatus status = PoolStatusBuilder.build("python", 3, settings(2, 5), members(MemberState.READY,
                MemberState.LEASED, MemberState.STARTING, MemberState.CLEANING, MemberState.TERMINATING), 0,
                NO_PROBLEM, null, T0);

        assertThat(status.getObservedGeneration()).isEqualTo(3);
        assertThat(status.getReplicas()).isEqualTo(4);
        assertThat(status.getReadyReplicas()).isEqualTo(1);
        // cleaning after a lease is busy, not starting
        assertThat(status.getLeasedReplicas()).isEqualTo(2);
        assertThat(status.getStartingReplicas()).isEqualTo(1);
        assertThat(status.getSelector())
                .isEqualTo("app.kubernetes.io/managed-by=sandbox-pool,sandboxpool.dev/pool=python");
        assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3));
    }

    @Test
    void restatingTheSameFactsLaterIsTheSameStatus() {
        SandboxPoolStatus first = PoolStatusBuilder.build("python", 1, settings(2, 5),
                members(MemberState.READY, MemberState.READY), 0, NO_PROBLEM, null, T0);

        SandboxPoolStatus later = PoolStatusBuilder.build("python", 1, settings(2, 5),
                members(MemberState.READY, MemberState.READY), 0, NO_PROBLEM, first, T1);

        assertThat(condition(later, Condition.TYPE_READY).getLastTransitionTime()).isEqualTo(T0.toString());
        assertThat(PoolStatusBuilder.same(later, first)).isTrue();
    }

    @Test
    void aFlipMovesOnlyThatConditionsTransitionTime() {
        SandboxPoolStatus ready = PoolStatusBuilder.build("python", 1, settings(2, 5),
                members(MemberState.READY, MemberState.READY), 0, NO_PROBLEM, null, T0);

        SandboxPoolStatus warming = PoolStatusBuilder.build("python", 1, settings(2, 5),
                members(MemberState.READY, MemberState.STARTING), 0, NO_PROBLEM, ready, T1);

        assertThat(condition(warming, Condition.TYPE_READY).getStatus()).isEqualTo("False");
        assertThat(condition(warming, Condition.TYPE_READY).getReason()).isEqualTo("Warming");
        assertThat(condition(warming, Condition.TYPE_READY).getLastTransitionTime()).isEqualTo(T1.toString());
        assertThat(condition(warming, Condition.TYPE_DEGRADED).getLastTransitionTime()).isEqualTo(T0.toString());
        assertThat(PoolStatusBuilder.same(warming, ready)).isFalse();
    }

    @Test
    void anImagePullProblemIsReportedAsImagePullFailed() {
        var starts = new PoolStatusBuilder.Starts(0, null, Optional.of(new StartProblem(true,
                "image python:3 cannot be pulled (pod python-1): ErrImagePull: not found")));

        SandboxPoolStatus status = PoolStatusBuilder.build("python", 1, settings(1, 5),
                members(MemberState.STARTING), 0, starts, null, T0);

        assertThat(condition(status, Condition.TYPE_READY).getReason()).isEqualTo("ImagePullFailed");
        assertThat(condition(status, Condition.TYPE_READY).getMessage()).contains("ErrImagePull: not found");
        assertThat(condition(status, Condition.TYPE_DEGRADED).getStatus()).isEqualTo("True");
        assertThat(condition(status, Condition.TYPE_DEGRADED).getReason()).isEqualTo("ImagePullFailed");
    }

    @Test
    void waitersAtMaxSizeAreAtCapacity() {
        SandboxPoolStatus status = PoolStatusBuilder.build("python", 1, settings(1, 2),
                members(MemberState.LEASED, MemberState.LEASED), 3, NO_PROBLEM, null, T0);

        assertThat(condition(status, Condition.TYPE_DEGRADED).getReason()).isEqualTo("AtCapacity");
    }

    @Test
    void anInvalidSpecIsReadyFalseWithEveryFieldAndReason() {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setMaxAge("forever");
        InvalidSpecException invalid = null;
        try {
            PoolSpecValidator.validate("python", spec);
        } catch (InvalidSpecException e) {
            invalid = e;
        }

        SandboxPoolStatus status = PoolStatusBuilder.invalid("python", 2, invalid, members(), null, T0);

        Condition ready = condition(status, Condition.TYPE_READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).contains("spec.image: is required").contains("spec.maxAge: must be a duration");
        assertThat(condition(status, Condition.TYPE_DEGRADED).getReason()).isEqualTo("InvalidSpec");
    }
}
