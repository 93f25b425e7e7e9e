package dev.sandboxpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pool's rules, one scenario per test. The clock is fixed at {@link #NOW}; members are built relative to it.
 * Unless a test says otherwise a member was made a minute ago from the current spec, became ready 30s ago and was
 * probed 10s ago: young, fresh, healthy and not due for a probe.
 */
class PlannerTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Planner planner = new Planner(STARTUP_TIMEOUT);

    /** Defaults: minSize 2, maxSize 5, maxAge 30m, idleTimeout 5m, probe period 30s, failureThreshold 1. */
    private final PoolSettings defaults = settings(spec -> {
    });

    private final PoolSettings minSizeOne = settings(spec -> spec.setMinSize(1));

    /** A pool whose minSize is its maxSize: every replacement has to wait for room. */
    private final PoolSettings fullAtTwo = settings(spec -> {
        spec.setMinSize(2);
        spec.setMaxSize(2);
    });

    @Test
    void prewarmsEmptyPoolToMinSize() {
        Plan plan = planner.plan(defaults, List.of(), 0, NOW, null);

        assertThat(plan.create()).isEqualTo(2);
        assertThat(plan.retire()).isEmpty();
        assertThat(plan.probe()).isEmpty();
    }

    @Test
    void doesNothingWhenMinSizeMembersAreReady() {
        Plan plan = planner.plan(defaults, List.of(ready("a").build(), ready("b").build()), 0, NOW, null);

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void createsOnlyTheMembersMissingTowardsMinSize() {
        Plan plan = planner.plan(defaults, List.of(ready("a").build()), 0, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void retiresIdleMembersAboveALoweredMaxSizeButNeverLeasedOnes() {
        PoolSettings maxTwo = settings(spec -> {
            spec.setMinSize(1);
            spec.setMaxSize(2);
        });
        List<MemberSnapshot> members = List.of(member("leased-1", MemberState.LEASED).build(),
                member("leased-2", MemberState.LEASED).build(), ready("a").build(), ready("b").build());

        Plan plan = planner.plan(maxTwo, members, 0, NOW, null);

        assertThat(plan.retire()).containsOnlyKeys("a", "b").containsValue(RetireReason.OVER_MAX_SIZE);
        assertThat(plan.create()).isZero();
    }

    @Test
    void countsStartingMembersTowardsMinSize() {
        Plan plan = planner.plan(defaults, List.of(starting("a").build(), starting("b").build()), 0, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void countsCleaningMembersTowardsMinSize() {
        Plan plan = planner.plan(defaults,
                List.of(member("a", MemberState.CLEANING).build(), ready("b").build()), 0, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void countsLeasedMembersTowardsMinSize() {
        Plan plan = planner.plan(defaults, List.of(leased("a").build(), leased("b").build()), 0, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void replacesTerminatingMembersTowardsMinSize() {
        List<MemberSnapshot> members = List.of(terminating("a").build(), terminating("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void prewarmingStaysWithinMaxSizeWhileTerminatingMembersAreGoing() {
        PoolSettings spec = settings(s -> {
            s.setMinSize(2);
            s.setMaxSize(3);
        });
        List<MemberSnapshot> members = List.of(terminating("a").build(), terminating("b").build());

        Plan plan = planner.plan(spec, members, 0, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void poolWithMinSizeZeroCreatesNothingWithoutWaiters() {
        PoolSettings spec = settings(s -> s.setMinSize(0));

        Plan plan = planner.plan(spec, List.of(), 0, NOW, null);

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void poolWithMinSizeZeroCreatesOneMemberPerWaiter() {
        PoolSettings spec = settings(s -> s.setMinSize(0));

        Plan plan = planner.plan(spec, List.of(), 3, NOW, null);

        assertThat(plan.create()).isEqualTo(3);
    }

    @Test
    void growsBeyondMinSizeForWaiters() {
        List<MemberSnapshot> members = List.of(leased("a").build(), leased("b").build());

        Plan plan = planner.plan(defaults, members, 2, NOW, null);

        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void growsForWaitersOnlyUpToMaxSize() {
        List<MemberSnapshot> members = List.of(leased("a").build(), leased("b").build());

        Plan plan = planner.plan(defaults, members, 10, NOW, null);

        assertThat(plan.create()).isEqualTo(3);
    }

    @Test
    void burstOfTwentyWaitersCreatesNoMoreThanMaxSize() {
        PoolSettings spec = settings(s -> {
            s.setMinSize(0);
            s.setMaxSize(4);
        });

        Plan plan = planner.plan(spec, List.of(), 20, NOW, null);

        assertThat(plan.create()).isEqualTo(4);
    }

    @Test
    void repeatedPlanningDuringBurstNeverOvershootsMaxSize() {
        PoolSettings spec = settings(s -> {
            s.setMinSize(0);
            s.setMaxSize(4);
        });
        List<MemberSnapshot> members = new ArrayList<>();
        List<Integer> creations = new ArrayList<>();

        for (int round = 0; round < 10; round++) {
            int create = planner.plan(spec, members, 20, NOW, null).create();
            creations.add(create);
            for (int i = 0; i < create; i++) {
                members.add(starting("m" + round + "-" + i).lastProbeAt(NOW).busy(true).build());
            }
            assertThat(members).as("members after round %d", round).hasSizeLessThanOrEqualTo(4);
        }

        assertThat(members).hasSize(4);
        assertThat(creations).startsWith(4).containsOnly(4, 0);
    }

    @ParameterizedTest(name = "{0} members")
    @EnumSource(value = MemberState.class, names = {"STARTING", "LEASED", "CLEANING", "TERMINATING"})
    void countsMembersInEveryStateAgainstMaxSize(MemberState state) {
        PoolSettings spec = settings(s -> {
            s.setMinSize(0);
            s.setMaxSize(4);
        });
        List<MemberSnapshot> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(member("m" + i, state).lastProbeAt(NOW).busy(true).build());
        }

        Plan plan = planner.plan(spec, members, 20, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void fullPoolOfMixedStatesCreatesNothingForWaiters() {
        PoolSettings spec = settings(s -> {
            s.setMinSize(0);
            s.setMaxSize(4);
        });
        List<MemberSnapshot> members = List.of(starting("a").busy(true).build(), leased("b").build(),
                member("c", MemberState.CLEANING).busy(true).build(), terminating("d").build());

        Plan plan = planner.plan(spec, members, 20, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void waitersCoveredByReadyMembersCreateNothing() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(ready("a").build(), ready("b").build(), ready("c").build());

        Plan plan = planner.plan(spec, members, 3, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void waitersCoveredByStartingMembersCreateNothing() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(starting("a").busy(true).build(), starting("b").busy(true).build());

        Plan plan = planner.plan(spec, members, 2, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void waitersCoveredByCleaningMembersCreateNothing() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(member("a", MemberState.CLEANING).busy(true).build());

        Plan plan = planner.plan(spec, members, 1, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void createsOnlyForWaitersNotCoveredYet() {
        PoolSettings spec = settings(s -> {
            s.setMinSize(0);
            s.setMaxSize(10);
        });
        List<MemberSnapshot> members = List.of(ready("a").build(), starting("b").busy(true).build(),
                leased("c").build());

        Plan plan = planner.plan(spec, members, 4, NOW, null);

        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void membersCreatedForWaitersAlsoCountTowardsMinSize() {
        PoolSettings spec = settings(s -> s.setMaxSize(10));

        Plan plan = planner.plan(spec, List.of(), 3, NOW, null);

        assertThat(plan.create()).isEqualTo(3);
    }

    @Test
    void membersRetiredNowDoNotCoverWaiters() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(ready("aged").createdAgo(Duration.ofHours(1)).build());

        Plan plan = planner.plan(spec, members, 1, NOW, null);

        assertThat(plan.retire()).containsOnlyKeys("aged");
        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void leasedMembersDoNotCoverWaiters() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(leased("a").build(), leased("b").build());

        Plan plan = planner.plan(spec, members, 1, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void terminatingMembersDoNotCoverWaiters() {
        PoolSettings spec = settings(s -> s.setMinSize(0));

        Plan plan = planner.plan(spec, List.of(terminating("a").build()), 1, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    /** Issue 15: replaced first, so the pool is never short of the member while its replacement starts. */
    @Test
    void startsTheReplacementOfAMemberPastMaxAgeBeforeRetiringIt() {
        MemberSnapshot old = ready("old").createdAgo(Duration.ofMinutes(31)).build();

        Plan plan = planner.plan(defaults, List.of(old, ready("b").build()), 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void retiresAMemberPastMaxAgeOnceItsReplacementIsReady() {
        MemberSnapshot old = ready("old").createdAgo(Duration.ofMinutes(31)).build();

        Plan plan = planner.plan(defaults, List.of(old, ready("b").build(), ready("new").build()), 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("old", RetireReason.MAX_AGE));
        assertThat(plan.create()).isZero();
    }

    @Test
    void keepsAMemberPastMaxAgeWhileItsReplacementStarts() {
        MemberSnapshot old = ready("old").createdAgo(Duration.ofMinutes(31)).build();

        Plan plan = planner.plan(defaults, List.of(old, ready("b").build(), starting("new").build()), 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
        assertThat(plan.create()).isZero();
    }

    @Test
    void aMemberIsDueAsSoonAsItReachesMaxAge() {
        MemberSnapshot old = ready("old").createdAgo(Duration.ofMinutes(30)).build();

        Plan plan = planner.plan(defaults, List.of(old, ready("b").build(), ready("c").build()), 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("old", RetireReason.MAX_AGE));
    }

    @Test
    void keepsReadyMemberYoungerThanMaxAge() {
        MemberSnapshot young = ready("young").createdAgo(Duration.ofMinutes(30).minusMillis(1)).build();

        Plan plan = planner.plan(defaults, List.of(young, ready("b").build()), 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void neverRetiresLeasedMemberPastMaxAge() {
        MemberSnapshot old = leased("old").createdAgo(Duration.ofHours(5)).build();

        Plan plan = planner.plan(defaults, List.of(old, ready("b").build()), 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void startsReplacementsOfEveryAgedMemberRightAwayWhenThereIsRoom() {
        List<MemberSnapshot> members = List.of(ready("a").createdAgo(Duration.ofHours(1)).build(),
                ready("b").createdAgo(Duration.ofHours(1)).build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void atMaxSizeAgedMembersMakeRoomForOneReplacementAtATime() {
        PoolSettings fullAtThree = settings(spec -> {
            spec.setMinSize(3);
            spec.setMaxSize(3);
        });
        List<MemberSnapshot> members = List.of(ready("a").createdAgo(Duration.ofHours(2)).build(),
                ready("b").createdAgo(Duration.ofHours(1)).build(), ready("c").createdAgo(Duration.ofHours(1)).build());

        Plan plan = planner.plan(fullAtThree, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.MAX_AGE));
        assertThat(plan.create()).isZero(); // the room comes once a is gone
    }

    @Test
    void replacementOfRetiredMemberWaitsWhilePoolIsAtMaxSize() {
        List<MemberSnapshot> members = List.of(ready("a").createdAgo(Duration.ofHours(1)).build(),
                ready("b").build());

        Plan plan = planner.plan(fullAtTwo, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.MAX_AGE));
        assertThat(plan.create()).isZero();
    }

    @Test
    void replacementWaitsWhileRetiredMemberIsTerminating() {
        List<MemberSnapshot> members = List.of(terminating("a").build(), ready("b").build());

        Plan plan = planner.plan(fullAtTwo, members, 0, NOW, null);

        assertThat(plan.create()).isZero();
    }

    @Test
    void replacementIsCreatedOnceRetiredMemberIsGone() {
        Plan plan = planner.plan(fullAtTwo, List.of(ready("b").build()), 0, NOW, null);

        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void replacementOfTimedOutStarterWaitsWhilePoolIsAtMaxSize() {
        List<MemberSnapshot> members = List.of(starting("a").createdAgo(Duration.ofMinutes(2)).build(),
                ready("b").build());

        Plan plan = planner.plan(fullAtTwo, members, 3, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.STARTUP_TIMEOUT));
        assertThat(plan.create()).isZero();
    }

    @Test
    void retiresIdleMemberAboveMinSizeAfterIdleTimeout() {
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(6)).build(),
                ready("b").build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.IDLE));
        assertThat(plan.create()).isZero();
    }

    @Test
    void retiresIdleMemberAsSoonAsIdleTimeoutIsReached() {
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(5)).build(),
                ready("b").build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.IDLE));
    }

    @Test
    void keepsMemberIdleForLessThanIdleTimeout() {
        List<MemberSnapshot> members = List.of(
                ready("a").readyAgo(Duration.ofMinutes(5).minusMillis(1)).build(), ready("b").build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void retiresOldestIdleMembersFirst() {
        PoolSettings spec = settings(s -> s.setMinSize(2));
        List<MemberSnapshot> members = List.of(
                ready("idle-6m").readyAgo(Duration.ofMinutes(6)).build(),
                ready("idle-10m").readyAgo(Duration.ofMinutes(10)).build(),
                ready("idle-7m").readyAgo(Duration.ofMinutes(7)).build(),
                ready("fresh").build());

        Plan plan = planner.plan(spec, members, 0, NOW, null);

        assertThat(plan.retire()).containsOnly(Map.entry("idle-10m", RetireReason.IDLE),
                Map.entry("idle-7m", RetireReason.IDLE));
    }

    @Test
    void neverRetiresIdleMembersBelowMinSize() {
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(10)).build(),
                ready("b").readyAgo(Duration.ofMinutes(15)).build(),
                ready("c").readyAgo(Duration.ofMinutes(20)).build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).containsOnly(Map.entry("c", RetireReason.IDLE),
                Map.entry("b", RetireReason.IDLE));
        assertThat(plan.create()).isZero();
    }

    @Test
    void keepsIdleMembersWhenPoolIsAtMinSize() {
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(20)).build(),
                ready("b").readyAgo(Duration.ofMinutes(20)).build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void doesNotCountTerminatingMembersTowardsMinSizeWhenRetiringIdleOnes() {
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(20)).build(),
                terminating("b").build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void doesNotCountMembersRetiredForOtherReasonsTowardsMinSize() {
        List<MemberSnapshot> members = List.of(ready("aged").createdAgo(Duration.ofHours(1)).build(),
                ready("idle").readyAgo(Duration.ofMinutes(10)).build());

        Plan plan = planner.plan(minSizeOne, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("aged", RetireReason.MAX_AGE));
    }

    @Test
    void keepsIdleMembersWhileCallersWait() {
        PoolSettings spec = settings(s -> s.setMinSize(0));
        List<MemberSnapshot> members = List.of(ready("a").readyAgo(Duration.ofMinutes(20)).build(),
                ready("b").readyAgo(Duration.ofMinutes(20)).build());

        Plan plan = planner.plan(spec, members, 1, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void atMaxSizeTheNextAgedMemberWaitsWhileTheLastOneIsStillBeingRemoved() {
        PoolSettings fullAtThree = settings(spec -> {
            spec.setMinSize(2);
            spec.setMaxSize(3);
        });
        List<MemberSnapshot> members = List.of(terminating("a").build(),
                ready("b").createdAgo(Duration.ofHours(1)).build(), ready("c").build());

        Plan plan = planner.plan(fullAtThree, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void retiresReadyMemberMadeFromAnOlderSpecAtOnce() {
        PoolSettings older = settings(s -> s.setImage("sandboxpool/python:3.11"));
        MemberSnapshot made = ready("a").specHash(older.specHash()).build();

        Plan plan = planner.plan(defaults, List.of(made, ready("b").build()), 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.SPEC_CHANGED));
        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void neverRetiresLeasedMemberMadeFromAnOlderSpec() {
        MemberSnapshot made = leased("a").specHash("0123456789").build();

        Plan plan = planner.plan(defaults, List.of(made, ready("b").build()), 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void keepsMembersWhenOnlySizesAgesOrProbeChange() {
        PoolSettings changed = settings(s -> {
            s.setMinSize(1);
            s.setMaxSize(3);
            s.setMaxAge("1h");
            s.setIdleTimeout("10m");
            s.getHealthProbe().setPeriod("10s");
            s.getHealthProbe().setFailureThreshold(3);
        });
        List<MemberSnapshot> members = List.of(ready("a").build(), ready("b").build());

        Plan plan = planner.plan(changed, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void replacesSandboxThatFailsHealthProbe() {
        List<MemberSnapshot> members = List.of(ready("sick").probeFailures(1).build(), ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("sick", RetireReason.UNHEALTHY));
        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void toleratesFailuresBelowThreshold() {
        PoolSettings spec = settings(s -> s.getHealthProbe().setFailureThreshold(3));
        List<MemberSnapshot> members = List.of(ready("a").probeFailures(2).build(), ready("b").build());

        Plan plan = planner.plan(spec, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void retiresMemberOnceFailuresReachThreshold() {
        PoolSettings spec = settings(s -> s.getHealthProbe().setFailureThreshold(3));
        List<MemberSnapshot> members = List.of(ready("a").probeFailures(3).build(), ready("b").build());

        Plan plan = planner.plan(spec, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("a", RetireReason.UNHEALTHY));
    }

    @Test
    void neverRetiresLeasedMemberWithFailedProbes() {
        List<MemberSnapshot> members = List.of(leased("a").probeFailures(5).build(), ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void retiresStartingMemberPastStartupDeadline() {
        List<MemberSnapshot> members = List.of(starting("slow").createdAgo(Duration.ofSeconds(61)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("slow", RetireReason.STARTUP_TIMEOUT));
        assertThat(plan.create()).isEqualTo(1);
    }

    @Test
    void retiresStartingMemberAsSoonAsStartupDeadlineIsReached() {
        List<MemberSnapshot> members = List.of(starting("slow").createdAgo(STARTUP_TIMEOUT).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).containsExactly(Map.entry("slow", RetireReason.STARTUP_TIMEOUT));
    }

    @Test
    void keepsStartingMemberWithinStartupDeadline() {
        List<MemberSnapshot> members = List.of(
                starting("a").createdAgo(STARTUP_TIMEOUT.minusMillis(1)).build(), ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void startupDeadlineDoesNotApplyToReadyMembers() {
        List<MemberSnapshot> members = List.of(ready("a").createdAgo(Duration.ofMinutes(10)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void neverRetiresOrProbesBusyReadyMember() {
        MemberSnapshot busy = ready("busy").createdAgo(Duration.ofHours(2)).readyAgo(Duration.ofHours(1))
                .specHash("0123456789").probeFailures(9).lastProbeAt(null).busy(true).build();
        PoolSettings spec = settings(s -> s.setMinSize(0));

        Plan plan = planner.plan(spec, List.of(busy), 0, NOW, null);

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void neverRetiresOrProbesBusyStartingMemberPastStartupDeadline() {
        MemberSnapshot busy = starting("busy").createdAgo(Duration.ofMinutes(5)).lastProbeAt(null).busy(true)
                .build();
        PoolSettings spec = settings(s -> s.setMinSize(1));

        Plan plan = planner.plan(spec, List.of(busy), 0, NOW, null);

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void probesReadyMemberOncePeriodHasPassedSinceLastProbe() {
        List<MemberSnapshot> members = List.of(
                ready("due").readyAgo(Duration.ofMinutes(2)).probedAgo(Duration.ofSeconds(30)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("due");
    }

    @Test
    void doesNotProbeReadyMemberBeforePeriodHasPassed() {
        List<MemberSnapshot> members = List.of(
                ready("a").readyAgo(Duration.ofMinutes(2)).probedAgo(Duration.ofSeconds(29)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).isEmpty();
    }

    @Test
    void countsProbePeriodFromReadySinceWhenItIsLaterThanLastProbe() {
        List<MemberSnapshot> members = List.of(
                ready("recycled").probedAgo(Duration.ofMinutes(2)).readyAgo(Duration.ofSeconds(10)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).isEmpty();
    }

    @Test
    void probesRecycledMemberOncePeriodHasPassedSinceItBecameReady() {
        List<MemberSnapshot> members = List.of(
                ready("recycled").probedAgo(Duration.ofMinutes(2)).readyAgo(Duration.ofSeconds(30)).build(),
                ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("recycled");
    }

    @Test
    void probesNeverProbedReadyMemberOncePeriodHasPassedSinceItBecameReady() {
        List<MemberSnapshot> members = List.of(
                ready("due").lastProbeAt(null).readyAgo(Duration.ofSeconds(30)).build(),
                ready("fresh").lastProbeAt(null).readyAgo(Duration.ofSeconds(29)).build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("due");
    }

    @Test
    void followsConfiguredProbePeriod() {
        PoolSettings spec = settings(s -> s.getHealthProbe().setPeriod("5s"));
        List<MemberSnapshot> members = List.of(ready("a").probedAgo(Duration.ofSeconds(5)).build(),
                ready("b").probedAgo(Duration.ofSeconds(4)).build());

        Plan plan = planner.plan(spec, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("a");
    }

    @Test
    void probesStartingMemberThatWasNeverProbed() {
        List<MemberSnapshot> members = List.of(starting("new").lastProbeAt(null).build(), ready("b").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("new");
    }

    @Test
    void probesStartingMemberAgainAfterStartupProbeInterval() {
        List<MemberSnapshot> members = List.of(
                starting("due").probedAgo(Planner.STARTUP_PROBE_INTERVAL).build(),
                starting("recent").probedAgo(Planner.STARTUP_PROBE_INTERVAL.minusMillis(1)).build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.probe()).containsExactly("due");
    }

    @ParameterizedTest(name = "{0} member")
    @EnumSource(value = MemberState.class, names = {"LEASED", "CLEANING", "TERMINATING"})
    void neverProbesMembersThatAreNotReadyOrStarting(MemberState state) {
        MemberSnapshot m = member("a", state).lastProbeAt(null).readyAgo(Duration.ofMinutes(10)).build();

        Plan plan = planner.plan(defaults, List.of(m, ready("b").build()), 0, NOW, null);

        assertThat(plan.probe()).isEmpty();
    }

    @Test
    void doesNotProbeMemberItRetires() {
        List<MemberSnapshot> members = List.of(
                ready("aged").createdAgo(Duration.ofHours(1)).lastProbeAt(null).build(),
                ready("b").build(), ready("c").build());

        Plan plan = planner.plan(defaults, members, 0, NOW, null);

        assertThat(plan.retire()).containsOnlyKeys("aged");
        assertThat(plan.probe()).isEmpty();
    }

    @Test
    void createsNothingBeforeCreateNotBefore() {
        Plan plan = planner.plan(defaults, List.of(), 3, NOW, NOW.plusMillis(1));

        assertThat(plan.create()).isZero();
    }

    @Test
    void createsAgainOnceCreateNotBeforeIsReached() {
        Plan plan = planner.plan(defaults, List.of(), 0, NOW, NOW);

        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void createsAgainAfterCreateNotBefore() {
        Plan plan = planner.plan(defaults, List.of(), 0, NOW, NOW.minusSeconds(1));

        assertThat(plan.create()).isEqualTo(2);
    }

    @Test
    void stillRetiresAndProbesWhileCreationBacksOff() {
        List<MemberSnapshot> members = List.of(ready("aged").createdAgo(Duration.ofHours(1)).build(),
                ready("due").probedAgo(Duration.ofMinutes(1)).readyAgo(Duration.ofMinutes(1)).build());

        Plan plan = planner.plan(defaults, members, 0, NOW, NOW.plusSeconds(10));

        assertThat(plan.create()).isZero();
        assertThat(plan.retire()).containsExactly(Map.entry("aged", RetireReason.MAX_AGE));
        assertThat(plan.probe()).containsExactly("due");
    }

    @Test
    void recyclesHealthyMember() {
        ReleaseDecision decision = planner.afterRelease(defaults, leased("a").uses(1).build(), false, NOW);

        assertThat(decision).isEqualTo(ReleaseDecision.RECYCLE);
        assertThat(decision.recycle()).isTrue();
    }

    @Test
    void destroysDamagedMember() {
        ReleaseDecision decision = planner.afterRelease(defaults, leased("a").uses(1).build(), true, NOW);

        assertThat(decision.recycle()).isFalse();
        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.DAMAGED);
    }

    @Test
    void destroysMemberOfSingleUsePool() {
        PoolSettings spec = settings(s -> s.getReuse().setPolicy(ReusePolicy.SingleUse));

        ReleaseDecision decision = planner.afterRelease(spec, leased("a").uses(1).build(), false, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.SINGLE_USE);
    }

    @Test
    void destroysMemberThatServedMaxUses() {
        PoolSettings spec = settings(s -> s.getReuse().setMaxUses(3));

        ReleaseDecision decision = planner.afterRelease(spec, leased("a").uses(3).build(), false, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.MAX_USES);
    }

    @Test
    void membersStopAtDifferentUsesWithinATenthBelowMaxUses() {
        PoolSettings spec = settings(s -> s.getReuse().setMaxUses(100));
        Set<Integer> limits = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            int limit = Planner.usesAllowed(spec, id);
            limits.add(limit);

            assertThat(limit).isBetween(90, 100);
            assertThat(planner.afterRelease(spec, leased(id).uses(limit - 1).build(), false, NOW).recycle()).isTrue();
            assertThat(planner.afterRelease(spec, leased(id).uses(limit).build(), false, NOW).destroyBecause())
                    .isEqualTo(RetireReason.MAX_USES);
        }
        assertThat(limits).hasSizeGreaterThan(5);
    }

    @Test
    void smallMaxUsesIsExact() {
        PoolSettings spec = settings(s -> s.getReuse().setMaxUses(9));

        assertThat(Planner.usesAllowed(spec, "a")).isEqualTo(9);
        assertThat(Planner.usesAllowed(spec, "zz")).isEqualTo(9);
    }

    @Test
    void recyclesMemberBelowMaxUses() {
        PoolSettings spec = settings(s -> s.getReuse().setMaxUses(3));

        ReleaseDecision decision = planner.afterRelease(spec, leased("a").uses(2).build(), false, NOW);

        assertThat(decision.recycle()).isTrue();
    }

    @Test
    void returnsUntouchedMemberWithoutCleaningIt() {
        assertThat(planner.afterUntouchedRelease(defaults, leased("a").build(), NOW))
                .isEqualTo(ReleaseDecision.RECYCLE);
    }

    @Test
    void destroysUntouchedMemberOfSingleUsePool() {
        PoolSettings spec = settings(s -> s.getReuse().setPolicy(ReusePolicy.SingleUse));

        assertThat(planner.afterUntouchedRelease(spec, leased("a").build(), NOW).destroyBecause())
                .isEqualTo(RetireReason.SINGLE_USE);
    }

    @Test
    void returnsUntouchedMemberAtMaxUses() {
        PoolSettings spec = settings(s -> s.getReuse().setMaxUses(3));

        assertThat(planner.afterUntouchedRelease(spec, leased("a").uses(3).build(), NOW).recycle()).isTrue();
    }

    @Test
    void retiresUntouchedMemberThatIsTooOldOrOfAnOlderSpec() {
        MemberSnapshot old = leased("a").createdAgo(Duration.ofMinutes(31)).build();
        MemberSnapshot made = leased("b").specHash("0123456789").build();

        assertThat(planner.afterUntouchedRelease(defaults, old, NOW).destroyBecause()).isEqualTo(RetireReason.MAX_AGE);
        assertThat(planner.afterUntouchedRelease(defaults, made, NOW).destroyBecause())
                .isEqualTo(RetireReason.SPEC_CHANGED);
    }

    @Test
    void destroysMemberPastMaxAge() {
        MemberSnapshot old = leased("a").uses(1).createdAgo(Duration.ofMinutes(31)).build();

        ReleaseDecision decision = planner.afterRelease(defaults, old, false, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.MAX_AGE);
    }

    @Test
    void destroysMemberMadeFromAnOlderSpec() {
        MemberSnapshot made = leased("a").uses(1).specHash("0123456789").build();

        ReleaseDecision decision = planner.afterRelease(defaults, made, false, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.SPEC_CHANGED);
    }

    @Test
    void destroysUnhealthyMember() {
        MemberSnapshot sick = leased("a").uses(1).probeFailures(1).build();

        ReleaseDecision decision = planner.afterRelease(defaults, sick, false, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.UNHEALTHY);
    }

    @Test
    void damageIsReportedBeforeAnyOtherReason() {
        PoolSettings spec = settings(s -> s.getReuse().setPolicy(ReusePolicy.SingleUse));
        MemberSnapshot worn = leased("a").uses(500).createdAgo(Duration.ofHours(3)).specHash("0123456789")
                .probeFailures(4).build();

        ReleaseDecision decision = planner.afterRelease(spec, worn, true, NOW);

        assertThat(decision.destroyBecause()).isEqualTo(RetireReason.DAMAGED);
    }

    private static PoolSettings settings(Consumer<SandboxPoolSpec> customize) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:latest");
        customize.accept(spec);
        return PoolSpecValidator.validate("python", spec);
    }

    private Member ready(String id) {
        return member(id, MemberState.READY);
    }

    private Member starting(String id) {
        return member(id, MemberState.STARTING).readySince(null).createdAgo(Duration.ofSeconds(5))
                .probedAgo(Duration.ofMillis(50));
    }

    private Member leased(String id) {
        return member(id, MemberState.LEASED).readySince(null);
    }

    private Member terminating(String id) {
        return member(id, MemberState.TERMINATING).readySince(null).busy(true);
    }

    private Member member(String id, MemberState state) {
        return new Member(id, state, defaults.specHash());
    }

    /** A {@link MemberSnapshot} under construction, with the defaults described on the class. */
    private static final class Member {
        private final String id;
        private final MemberState state;
        private String specHash;
        private Instant createdAt = NOW.minus(Duration.ofMinutes(1));
        private Instant readySince = NOW.minus(Duration.ofSeconds(30));
        private int uses;
        private Instant lastProbeAt = NOW.minus(Duration.ofSeconds(10));
        private int probeFailures;
        private boolean busy;

        Member(String id, MemberState state, String specHash) {
            this.id = id;
            this.state = state;
            this.specHash = specHash;
        }

        Member specHash(String hash) {
            this.specHash = hash;
            return this;
        }

        Member createdAgo(Duration age) {
            this.createdAt = NOW.minus(age);
            return this;
        }

        /** Ready (idle) for this long; a member cannot be ready before it exists, so it is made 5s earlier. */
        Member readyAgo(Duration idle) {
            this.readySince = NOW.minus(idle);
            if (createdAt.isAfter(readySince)) {
                createdAt = readySince.minusSeconds(5);
            }
            return this;
        }

        Member readySince(Instant since) {
            this.readySince = since;
            return this;
        }

        Member uses(int count) {
            this.uses = count;
            return this;
        }

        Member probedAgo(Duration ago) {
            this.lastProbeAt = NOW.minus(ago);
            return this;
        }

        Member lastProbeAt(Instant at) {
            this.lastProbeAt = at;
            return this;
        }

        Member probeFailures(int count) {
            this.probeFailures = count;
            return this;
        }

        Member busy(boolean isBusy) {
            this.busy = isBusy;
            return this;
        }

        MemberSnapshot build() {
            return new MemberSnapshot(id, state, specHash, createdAt, readySince, uses, lastProbeAt, probeFailures,
                    busy);
        }
    }
}
