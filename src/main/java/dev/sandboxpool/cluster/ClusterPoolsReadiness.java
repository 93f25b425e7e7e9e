package dev.sandboxpool.cluster;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * Ready when the lease API's informers have listed the pools and pods and keep watching them. Whether each pool has
 * its warm members is the pool's Ready condition (in {@code GET /v1/pools}), not this process's readiness: a
 * replica that cannot serve one pool still serves the others.
 */
@Singleton
@Readiness
@Requires(condition = LeaseApiCondition.class)
public class ClusterPoolsReadiness extends AbstractHealthIndicator<Map<String, Object>> {
    private final ClusterPools pools;

    public ClusterPoolsReadiness(ClusterPools pools) {
        this.pools = pools;
    }

    @Override
    protected String getName() {
        return "sandboxPools";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        List<String> unsynced = pools.unsynced();
        healthStatus = unsynced.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN;
        return Map.of("informers", unsynced.isEmpty() ? "synced" : String.join("; ", unsynced),
                "pools", pools.all().size());
    }
}
