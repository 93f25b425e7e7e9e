package dev.sandboxpool.pool;

import java.time.Duration;

/**
 * Timings of the engine itself (not of a pool spec).
 *
 * @param tickInterval how often the planner runs when nothing else triggers it
 * @param syncInterval how often members are checked against the backend (finds killed or removed sandboxes)
 * @param startupTimeout a new member not healthy by then is replaced, and creation backs off
 * @param initialBackoff first wait after a failed start; doubles per consecutive failure up to maxBackoff
 * @param cleanupAttempts tries to clean a released member before it is destroyed instead
 * @param statsLogInterval how often each pool logs its counts
 */
public record PoolEngineConfig(Duration tickInterval, Duration syncInterval, Duration startupTimeout,
        Duration initialBackoff, Duration maxBackoff, int cleanupAttempts, Duration statsLogInterval) {

    public static PoolEngineConfig defaults() {
        return new PoolEngineConfig(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofMinutes(5), 3, Duration.ofMinutes(1));
    }

    public PoolEngineConfig withStartupTimeout(Duration timeout) {
        return new PoolEngineConfig(tickInterval, syncInterval, timeout, initialBackoff, maxBackoff, cleanupAttempts,
                statsLogInterval);
    }
}
