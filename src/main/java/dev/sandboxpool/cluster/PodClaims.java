package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.PodCas;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Claims of idle member pods by compare-and-set, in this replica's {@link ClaimOrder}: of two replicas claiming one
 * pod exactly one wins, and each starts with different pods, so they rarely race at all.
 */
final class PodClaims {
    private final MemberCache members;
    private final PodLeaseLookup lookup;
    private final PodCas cas;
    private final Clock clock;
    private final String replica;
    /** Where peers forward this replica's leases' sandbox calls; null when unknown (see {@link Replica}). */
    private final String replicaAddress;
    /** Pod versions this process claimed or lost a race for: the informer's copy of them is stale. */
    private final Set<String> spent = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            }));

    PodClaims(MemberCache members, PodLeaseLookup lookup, PodCas cas, Clock clock, Replica replica) {
        this.members = members;
        this.lookup = lookup;
        this.cas = cas;
        this.clock = clock;
        this.replica = replica.name();
        this.replicaAddress = replica.address();
    }

    /**
     * An idle pod of the spec {@code specHash} claimed for the lease {@code token} until {@code ttl} from now; empty
     * when none is idle. A claim of an earlier attempt for the same token whose outcome was never known (the write
     * failed, then was applied) shows in the cache: that pod is the token's, and no second one is claimed.
     */
    Optional<MemberPod> claim(String token, Duration ttl, String specHash) {
        Optional<Pod> already = members.leasedTo(token).stream().filter(p -> lookup.holds(token).test(new MemberPod(p)))
                .findFirst();
        if (already.isPresent()) {
            return already.map(MemberPod::new);
        }
        List<Pod> candidates = members.all().stream()
                .filter(p -> !spent.contains(version(p)))
                .filter(p -> {
                    MemberPod m = new MemberPod(p);
                    return m.claimable() && specHash.equals(m.specHash());
                })
                .sorted(ClaimOrder.comparator(replica, (Pod p) -> p.getMetadata().getName()))
                .toList();
        for (Pod candidate : candidates) {
            spent.add(version(candidate));
            Instant now = clock.instant();
            Optional<Pod> claimed = cas.update(candidate, m -> m.claimable() && specHash.equals(m.specHash()),
                    p -> PodEdits.claim(p, token, now, now.plus(ttl), replica, replicaAddress));
            if (claimed.isPresent()) {
                MemberPod m = new MemberPod(claimed.get());
                // remembered before the caller has the lease: its first call may come at once, on another thread
                lookup.claimed(token, m.name());
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static String version(Pod p) {
        return p.getMetadata().getName() + "@" + p.getMetadata().getResourceVersion();
    }
}
