package dev.sandboxpool.http.forward;

import dev.sandboxpool.pool.PoolRegistry;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.Optional;

/** Where a lease's holder is, when it is another process: asked of the pool the lease id names. */
@Singleton
@Requires(beans = PoolRegistry.class)
public class HolderLocator {
    private final PoolRegistry pools;

    public HolderLocator(PoolRegistry pools) {
        this.pools = pools;
    }

    /** The holder's {@code ip:port}; empty when this process serves the lease (or nobody holds it). */
    public Optional<String> holderOf(String leaseId) {
        return pools.poolOfLease(leaseId).flatMap(p -> p.holderAddress(leaseId));
    }
}
