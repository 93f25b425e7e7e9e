package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;

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
        MemberState state = state(m);
        boolean idleUnready = state == MemberState.READY && !m.ready();
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
