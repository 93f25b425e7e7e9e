package dev.sandboxpool.testing;

import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEngineConfig;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts real pools on Docker with quick engine timings, and stops them all after each test. */
public final class TestPools implements AutoCloseable {
    public static final PoolEngineConfig FAST = new PoolEngineConfig(Duration.ofMillis(100), Duration.ofMillis(300),
            Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(4), 3, Duration.ofMinutes(1));

    private final DockerBackend backend = new DockerBackend(DockerTestSupport.docker());
    private final List<Pool> started = new ArrayList<>();

    public DockerBackend backend() {
        return backend;
    }

    public Pool start(PoolSettings settings) {
        return start(settings, FAST);
    }

    public Pool start(PoolSettings settings, PoolEngineConfig config) {
        Pool pool = new Pool(settings, backend, config, Clock.systemUTC());
        started.add(pool);
        pool.start();
        return pool;
    }

    @Override
    public void close() {
        started.forEach(Pool::stop);
    }
}
