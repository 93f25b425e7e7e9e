package dev.sandboxpool.pool;

import java.util.Collection;
import java.util.Optional;

/** The pools this process serves, by name. Local mode fills it from spec files; operator mode from the cluster. */
public interface PoolRegistry {
    Optional<Pool> find(String name);

    Collection<Pool> all();
}
