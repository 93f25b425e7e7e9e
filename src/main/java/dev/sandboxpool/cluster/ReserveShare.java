package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a replica should give a free one-shot reservation back to the callers of other replicas: only while they
 * wait and it holds more than its share of the pool, the pods divided among the replicas that hold or want some.
 * Giving back whenever anyone waited made two busy replicas hand their pods to each other in turn, a claim and a
 * release each time, instead of settling at half each. With fewer pods than such replicas, they take turns.
 */
final class ReserveShare {
    private ReserveShare() {
    }

    /**
     * @param pods the pool's pods, from the informer's cache
     * @param reserved the pods {@code replica} holds for its one-shots now
     */
    static boolean giveBack(SandboxPool pool, Collection<Pod> pods, String replica, int reserved, Instant now) {
        if (Demand.waitingBesides(pool, replica, now) == 0) {
            return false;
        }
        Set<String> replicas = new HashSet<>();
        replicas.add(Demand.key(replica));
        int members = 0;
        for (Pod p : pods) {
            MemberPod m = new MemberPod(p);
            if (m.state() == MemberState.TERMINATING) {
                continue;
            }
            members++;
            if (m.state() == MemberState.LEASED && m.leaseHolder() != null) {
                replicas.add(Demand.key(m.leaseHolder()));
            }
        }
        Map<String, String> wanting = Demand.annotations(pool);
        replicas.addAll(wanting.keySet());
        if (members < replicas.size()) {
            return true; // fewer pods than replicas that want them: they take turns
        }
        int share = (members + replicas.size() - 1) / replicas.size();
        return reserved > share;
    }
}
