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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ready when the Docker daemon answers and every pool has had its warm members; the details show each pool's Ready
 * condition, so {@code GET /health} explains itself. A pool that was ready once and is short of warm members while
 * it replaces some under load is busy, not unhealthy (issue 13 item 2: /health answered 503 under load, which in a
 * cluster takes a replica out of its Service exactly when it is needed); it is unhealthy again when members fail to
 * start or its backend does not answer.
 */
@Singleton
@Readiness
@Requires(property = "sandboxpool.mode", value = "local", defaultValue = "local")
public class PoolsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
    private final DockerClient docker;
    private final PoolRegistry pools;
    private final Set<String> wereReady = ConcurrentHashMap.newKeySet();

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
            if (Condition.TRUE.equals(ready.getStatus())) {
                wereReady.add(s.name());
            } else {
                boolean replacing = Condition.REASON_WARMING.equals(ready.getReason()) && wereReady.contains(s.name());
                up &= replacing;
            }
        }
        healthStatus = up ? HealthStatus.UP : HealthStatus.DOWN;
        return details;
    }
}
