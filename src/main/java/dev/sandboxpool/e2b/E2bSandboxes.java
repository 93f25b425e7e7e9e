package dev.sandboxpool.e2b;

import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.PoolRegistry;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What E2B says of a sandbox that a lease does not hold: the template it was asked for, its metadata and its
 * environment variables (given to every command started in it). Kept in this process's memory beside the lease, and
 * dropped with it; in a cluster, a replica that did not create a sandbox still serves it but lists no metadata for it.
 */
@Singleton
public class E2bSandboxes {
    /** What the create call asked for. */
    public record Details(String template, Map<String, String> metadata, Map<String, String> envs,
            Instant startedAt) {
        public Details {
            metadata = Map.copyOf(metadata);
            envs = Map.copyOf(envs);
        }
    }

    private final Map<String, Details> byId = new ConcurrentHashMap<>();
    private final PoolRegistry pools;

    public E2bSandboxes(PoolRegistry pools) {
        this.pools = pools;
    }

    public void created(Lease lease, Details details) {
        byId.put(lease.id(), details);
    }

    public Optional<Details> details(String sandboxId) {
        return Optional.ofNullable(byId.get(sandboxId));
    }

    public void forget(String sandboxId) {
        byId.remove(sandboxId);
    }

    /** The sandboxes created here whose lease is still active (the others are forgotten on the way). */
    public List<Map.Entry<Lease, Details>> active() {
        return byId.entrySet().stream()
                .flatMap(e -> {
                    Optional<Lease> lease = pools.poolOfLease(e.getKey()).flatMap(p -> p.lease(e.getKey()));
                    if (lease.isEmpty()) {
                        byId.remove(e.getKey());
                    }
                    return lease.map(l -> Map.entry(l, e.getValue())).stream();
                })
                .toList();
    }
}
