package dev.sandboxpool.local;

import com.github.dockerjava.api.DockerClient;
import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.pool.PoolStats;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ready when the Docker daemon answers and every pool has its warm members; the details show each pool's Ready
 * condition, so {@code GET /health} explains itself.
 */
@Singleton
@Readiness
@Requires(property = "sandboxpool.mode", value = "local", defaultValue = "local")
public class PoolsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final DockerClient docker;
    private final PoolRegistry pools;

    public PoolsHealthIndicator(DockerClient docker, PoolRegistry pools) {
        this.docker = docker;
        this.pools = pools;
    }

    @Override
    protected String getName() {
        return "sandboxPools";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        try {
            docker.pingCmd().exec();
            details.put("docker", "reachable");
        } catch (RuntimeException e) {
            details.put("docker", "unreachable: " + e.getMessage());
            up = false;
        }
        for (var pool : pools.all()) {
            PoolStats s = pool.stats();
            Condition ready = s.conditions().stream().filter(c -> Condition.TYPE_READY.equals(c.getType()))
                    .findFirst().orElseThrow();
            details.put(s.name(), Map.of("ready", ready.getStatus(), "reason", ready.getReason(),
                    "message", ready.getMessage()));
            up &= Condition.TRUE.equals(ready.getStatus());
        }
        healthStatus = up ? HealthStatus.UP : HealthStatus.DOWN;
        return details;
    }
}
