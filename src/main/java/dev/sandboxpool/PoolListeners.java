package dev.sandboxpool;

import dev.sandboxpool.metrics.PoolMetrics;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.status.RecentActivity;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Who hears what the pools do: the metrics and the status page. */
@Factory
public class PoolListeners {

    @Singleton
    PoolEvents poolEvents(PoolMetrics metrics, RecentActivity recent) {
        return PoolEvents.all(metrics, recent);
    }
}
