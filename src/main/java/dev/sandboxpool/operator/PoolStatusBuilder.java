package dev.sandboxpool.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.SandboxPoolStatus;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.PoolConditions;
import dev.sandboxpool.spec.FieldError;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The status of a SandboxPool from its observed members, as a pure function. Conditions come from the shared
 * {@link PoolConditions}; each keeps the {@code lastTransitionTime} of the status already written while its own
 * status does not flip, so a status that only restates the same facts compares equal and is not written.
 */
final class PoolStatusBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PoolStatusBuilder() {
    }

    /** What a pool needs to know about its members' start-ups. */
    record Starts(int failures, String lastError, Optional<StartProblem> problem) {
    }

    static SandboxPoolStatus build(String pool, long generation, PoolSettings s, List<MemberSnapshot> members,
            int waiters, Starts starts, SandboxPoolStatus previous, Instant now) {
        return build(pool, generation, s, members, waiters, starts, Optional.empty(), previous, now);
    }

    /** @param networkIsolated the NetworkIsolated condition ({@link NetworkIsolation}), when the pool has one */
    static SandboxPoolStatus build(String pool, long generation, PoolSettings s, List<MemberSnapshot> members,
            int waiters, Starts starts, Optional<Condition> networkIsolated, SandboxPoolStatus previous,
            Instant now) {
        Counts c = Counts.of(members);
        int failures = starts.problem().isPresent() ? Math.max(1, starts.failures()) : starts.failures();
        String lastError = starts.problem().map(StartProblem::message).orElse(starts.lastError());
        var inputs = new PoolConditions.Inputs(s.minSize(), s.maxSize(), c.replicas(), c.get(MemberState.READY),
                c.get(MemberState.LEASED), c.get(MemberState.CLEANING), c.get(MemberState.STARTING),
                c.get(MemberState.TERMINATING), waiters, failures, lastError);
        boolean imagePull = starts.problem().map(StartProblem::imagePull).orElse(false);
        List<Condition> conditions = new ArrayList<>(new PoolConditions().update(inputs, now).stream()
                .map(cond -> imagePull && Condition.REASON_START_FAILING.equals(cond.getReason())
                        ? renamed(cond, ClusterReasons.IMAGE_PULL_FAILED) : cond)
                .toList());
        networkIsolated.ifPresent(cond -> conditions.add(timed(cond, now)));
        return status(pool, generation, c, conditions, previous);
    }

    /** Ready=False with the validator's message (every wrong field and why); members are left as they are. */
    static SandboxPoolStatus invalid(String pool, long generation, InvalidSpecException e,
            List<MemberSnapshot> members, SandboxPoolStatus previous, Instant now) {
        String message = e.errors().stream().map(FieldError::toString).collect(Collectors.joining("; "));
        List<Condition> conditions = List.of(
                timed(new Condition(Condition.TYPE_READY, Condition.FALSE, Condition.REASON_INVALID_SPEC, message),
                        now),
                timed(new Condition(Condition.TYPE_PROGRESSING, Condition.FALSE, Condition.REASON_INVALID_SPEC,
                        "nothing changes until the spec is fixed"), now),
                timed(new Condition(Condition.TYPE_DEGRADED, Condition.TRUE, Condition.REASON_INVALID_SPEC, message),
                        now));
        return status(pool, generation, Counts.of(members), conditions, previous);
    }

    /** Equal as written to the API server: then the write is skipped. */
    static boolean same(SandboxPoolStatus a, SandboxPoolStatus b) {
        return a != null && b != null && JSON.valueToTree(a).equals(JSON.valueToTree(b));
    }

    private static SandboxPoolStatus status(String pool, long generation, Counts c, List<Condition> conditions,
            SandboxPoolStatus previous) {
        SandboxPoolStatus st = new SandboxPoolStatus();
        st.setObservedGeneration(generation);
        st.setReplicas(c.replicas());
        st.setReadyReplicas(c.get(MemberState.READY));
        // a member being cleaned after its lease is warm again in moments, not starting: counted with the leased
        // ones, so a lease's release (leased, then cleaning) changes no count until the member is ready again
        st.setLeasedReplicas(c.get(MemberState.LEASED) + c.get(MemberState.CLEANING));
        st.setStartingReplicas(c.get(MemberState.STARTING));
        st.setSelector(SandboxPodFactory.memberSelector(pool));
        st.setConditions(conditions.stream().map(cond -> settled(cond, generation, previous)).toList());
        return st;
    }

    /** Keeps the written lastTransitionTime while the condition's status has not flipped. */
    private static Condition settled(Condition c, long generation, SandboxPoolStatus previous) {
        c.setObservedGeneration(generation);
        if (previous == null || previous.getConditions() == null) {
            return c;
        }
        previous.getConditions().stream()
                .filter(p -> c.getType().equals(p.getType()) && c.getStatus().equals(p.getStatus())
                        && p.getLastTransitionTime() != null)
                .findFirst()
                .ifPresent(p -> c.setLastTransitionTime(p.getLastTransitionTime()));
        return c;
    }

    private static Condition renamed(Condition c, String reason) {
        Condition out = new Condition(c.getType(), c.getStatus(), reason, c.getMessage());
        out.setLastTransitionTime(c.getLastTransitionTime());
        return out;
    }

    private static Condition timed(Condition c, Instant now) {
        c.setLastTransitionTime(now.toString());
        return c;
    }

    /** Members by state; replicas are all but the terminating ones. */
    private record Counts(Map<MemberState, Integer> byState) {
        static Counts of(List<MemberSnapshot> members) {
            Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
            for (MemberState st : MemberState.values()) {
                counts.put(st, 0);
            }
            members.forEach(m -> counts.merge(m.state(), 1, Integer::sum));
            return new Counts(counts);
        }

        int get(MemberState state) {
            return byState.get(state);
        }

        int replicas() {
            return byState.values().stream().mapToInt(Integer::intValue).sum() - get(MemberState.TERMINATING);
        }
    }
}
