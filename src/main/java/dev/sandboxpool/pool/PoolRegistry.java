package dev.sandboxpool.pool;

import java.util.Collection;
import java.util.Optional;

/** The pools this process serves, by name. Local mode fills it from spec files; operator mode from the cluster. */
public interface PoolRegistry {
    Optional<Pool> find(String name);

    /**
     * The pool a lease id names (see {@link LeaseIds}), found without asking any pool; whether that pool holds the
     * lease is the pool's to say.
     */
    default Optional<Pool> poolOfLease(String leaseId) {
        return LeaseIds.pool(leaseId).flatMap(this::find);
    }

    Collection<Pool> all();
}
