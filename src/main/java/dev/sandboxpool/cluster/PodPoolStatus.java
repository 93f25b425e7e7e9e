package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.PoolStats;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A served pool's status as this replica sees it: its pods by state, and the operator's conditions. */
final class PodPoolStatus {
    private PodPoolStatus() {
    }

    static PoolStats of(SandboxPool resource, PoolSettings s, List<Pod> pods, Instant now, int waiting,
            long executions) {
        Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
        for (MemberState st : MemberState.values()) {
            counts.put(st, 0);
        }
        List<MemberInfo> infos = pods.stream().map(MemberPod::new)
                .sorted(Comparator.comparing(MemberPod::name))
                .map(m -> {
                    MemberState state = MemberSnapshots.state(m);
                    counts.merge(state, 1, Integer::sum);
                    return new MemberInfo(m.name(), m.name(), state, m.uses(),
                            Duration.between(m.createdAt(), now).toSeconds(), null, m.ready(), null);
                })
                .toList();
        int terminating = counts.get(MemberState.TERMINATING);
        return new PoolStats(s.name(), "kubernetes", s.image(), s.minSize(), s.maxSize(), infos.size() - terminating,
                counts.get(MemberState.READY), counts.get(MemberState.LEASED),
                counts.get(MemberState.STARTING) + counts.get(MemberState.CLEANING), terminating, waiting,
                executions, 0, 0, 0, null, null, infos, conditions(resource), null);
    }

    /** The operator's conditions on the SandboxPool: this process only serves the pool. */
    private static List<Condition> conditions(SandboxPool resource) {
        var status = resource.getStatus();
        if (status != null && status.getConditions() != null && !status.getConditions().isEmpty()) {
            return status.getConditions();
        }
        return List.of(new Condition(Condition.TYPE_READY, Condition.UNKNOWN, "NotObserved",
                "the operator has not reported on this pool yet"));
    }
}
