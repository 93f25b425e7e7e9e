package dev.sandboxpool.testing;

import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.WarmPool;
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

    private final DockerBackend backend;
    private final List<WarmPool> started = new ArrayList<>();

    /** Pools of one instance of sandbox-pool: a second TestPools is another instance, as another process would be. */
    public TestPools() {
        this.backend = new DockerBackend(DockerTestSupport.docker());
    }

    public DockerBackend backend() {
        return backend;
    }

    public WarmPool start(PoolSettings settings) {
        return start(settings, FAST);
    }

    public WarmPool start(PoolSettings settings, PoolEngineConfig config) {
        WarmPool pool = new WarmPool(settings, backend, config, Clock.systemUTC(), PoolEvents.NONE);
        started.add(pool);
        pool.start();
        return pool;
    }

    @Override
    public void close() {
        started.forEach(WarmPool::stop);
        backend.close();
    }
}
