package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import java.time.Duration;
import java.time.Instant;

/**
 * A member pod as the shared {@link dev.sandboxpool.pool.Planner} sees members. The kubelet probes pods (their
 * readiness probe runs the pool's health command), so an idle pod that lost readiness counts as a member that
 * failed its probes, and the planner replaces it as unhealthy. Shared by the operator and the lease API, so both
 * count members alike.
 */
public final class MemberSnapshots {
    private MemberSnapshots() {
    }

    public static MemberSnapshot of(MemberPod m, int probeFailureThreshold) {
        return of(m, probeFailureThreshold, Instant.MAX, Duration.ZERO);
    }

    /**
     * An idle pod the kubelet reports not Ready counts as failing its probe once it has been so for {@code grace}
     * (the pool's probe period and timeout): a single failed readiness probe (with failureThreshold 1 the pod turns
     * NotReady at once), say one that overlapped a clean-up, is followed by another within a period, and retiring
     * the member at the first one replaced healthy members. Until then it is only not claimable.
     */
    public static MemberSnapshot of(MemberPod m, int probeFailureThreshold, Instant now, Duration grace) {
        MemberState state = state(m);
        boolean idleUnready = state == MemberState.READY && !m.ready()
                && m.notReadySince().map(since -> !since.plus(grace).isAfter(now)).orElse(true);
        return new MemberSnapshot(m.name(), state, m.specHash(), m.createdAt(),
                state == MemberState.READY ? m.stateSince() : null, m.uses(), null,
                idleUnready ? probeFailureThreshold : 0,
                // a clean-up (or the operator's check) is under way in some process: the planner starts nothing
                // else on it
                state == MemberState.CLEANING || m.checking());
    }

    public static MemberState state(MemberPod m) {
        if (m.gone()) {
            return MemberState.TERMINATING;
        }
        // the operator's check holds an idle member for a moment: as warm as before, and counted so
        return m.state() == MemberState.CLEANING && m.checking() ? MemberState.READY : m.state();
    }
}
