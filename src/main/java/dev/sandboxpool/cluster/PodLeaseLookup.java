package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseIds;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.MemberState;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Finds a pool's leases on its pods: in the informer's cache, indexed by lease token (no LIST per call), bridged
 * for this replica's own fresh claims, and read live from the API server before anything acts on them.
 */
final class PodLeaseLookup {
    /** Kept until the informer has surely caught up with a claim of this replica (see {@link Claim}). */
    private static final Duration CLAIM_BRIDGE = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final MemberCache members;
    private final Clock clock;
    private final String namespace;
    private final String pool;
    /** See {@link Claim}. */
    private final Map<String, Claim> claimedHere = new ConcurrentHashMap<>();

    PodLeaseLookup(KubernetesClient client, MemberCache members, Clock clock, String namespace, String pool) {
        this.client = client;
        this.members = members;
        this.clock = clock;
        this.namespace = namespace;
        this.pool = pool;
    }

    /** This replica claimed {@code pod} for the lease {@code token} just now. */
    void claimed(String token, String pod) {
        claimedHere.put(token, new Claim(pod, clock.instant()));
    }

    void forget(String token) {
        claimedHere.remove(token);
    }

    /** Claims the informer has surely shown by now need no bridge. */
    void forgetOldClaims() {
        Instant bridged = clock.instant().minus(CLAIM_BRIDGE);
        claimedHere.values().removeIf(c -> c.at().isBefore(bridged));
    }

    private String id(String token) {
        return LeaseIds.of(namespace + "." + pool, token);
    }

    /** Held by the lease with this token, in this pool (the pool label is checked too: tokens are only labels). */
    Predicate<MemberPod> holds(String token) {
        return m -> m.state() == MemberState.LEASED && pool.equals(m.pool())
                && m.leaseId().filter(token::equals).isPresent();
    }

    boolean notExpired(MemberPod m) {
        return m.leaseExpiresAt().isAfter(clock.instant());
    }

    /** Why a lease that is no longer active ended without a release, when its pod says. */
    Optional<String> whyEnded(String token) {
        Optional<MemberPod> holder = cached(token);
        if (holder.isPresent()) {
            return holder.filter(m -> !notExpired(m)).map(m -> "not renewed before " + m.leaseExpiresAt());
        }
        List<Pod> noted = members.endedLease(token);
        if (noted.isEmpty()) {
            noted = fromWatchCache(MemberPod.ENDED_LEASE, token);
        }
        return noted.stream().map(p -> new MemberPod(p).whyEnded(token)).flatMap(Optional::stream).findFirst();
    }

    /**
     * The leased pod as the API server has it now (not the informer's copy, which may lag behind another
     * replica's release), with the lease active.
     */
    MemberPod current(String token) {
        MemberPod cached = cached(token).orElseThrow(() -> new LeaseNotActiveException(id(token)));
        Pod live = live(cached.name());
        if (live == null || !holds(token).test(new MemberPod(live))) {
            throw new LeaseExpiredException(id(token), "its sandbox " + cached.name() + " was reclaimed or is gone");
        }
        MemberPod m = new MemberPod(live);
        if (!notExpired(m)) {
            throw new LeaseExpiredException(id(token), "not renewed before " + m.leaseExpiresAt());
        }
        return m;
    }

    Pod live(String pod) {
        return client.pods().inNamespace(namespace).withName(pod).get();
    }

    /** The pod holding the lease, from the informer cache's lease index. */
    Optional<MemberPod> cached(String token) {
        List<Pod> cached = members.leasedTo(token);
        if (cached.isEmpty()) {
            Claim mine = claimedHere.get(token);
            cached = mine != null ? Optional.ofNullable(live(mine.pod())).stream().toList()
                    : fromWatchCache(MemberPod.LEASE, token);
        }
        return cached.stream().map(MemberPod::new).filter(holds(token)).findFirst();
    }

    /**
     * A pod this replica claimed a moment ago, by lease token. The informer, and even the API server's watch cache,
     * may not show a claim yet when the lease's first call comes (a one-shot's comes at once): on a real cluster one
     * one-shot in a few hundred was answered 404 LeaseNotFound right after its claim. The pod is read by name then.
     * Kept until the informer has surely caught up ({@link #CLAIM_BRIDGE}) or the lease is released.
     */
    private record Claim(String pod, Instant at) {
    }

    /**
     * This pool's pods with a label the informer has not shown yet (a lease claimed through another replica a
     * moment ago, or no such lease): one LIST served from the API server's watch cache (resourceVersion 0), not a
     * quorum read from etcd. The live read before acting ({@link #current}) makes up for the cache's lag.
     */
    private List<Pod> fromWatchCache(String label, String value) {
        return client.pods().inNamespace(namespace)
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL, pool, label, value))
                .list(new ListOptionsBuilder().withResourceVersion("0").build()).getItems();
    }
}
