package dev.sandboxpool.local;

import com.github.dockerjava.api.DockerClient;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEngineConfig;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.pool.WarmPool;
import dev.sandboxpool.metrics.PoolMetrics;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: pools from spec files (or the default pool), on Docker, started with the application and removed with
 * it. Every spec is validated before any container starts, so a bad file stops start-up with all its errors.
 */
@Context
@Requires(property = "sandboxpool.mode", value = "local", defaultValue = "local")
public class LocalPools implements PoolRegistry {
    private static final Logger log = LoggerFactory.getLogger(LocalPools.class);

    private final Map<String, WarmPool> pools = new LinkedHashMap<>();

    public LocalPools(LocalModeConfig config, SandboxBackend backend, DockerClient docker, PoolMetrics metrics,
            PoolEvents events) {
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot reach the Docker daemon (" + e.getMessage() + "): start Docker, "
                    + "or set DOCKER_HOST", e);
        }
        List<SandboxPool> specs = config.getSpecs().isEmpty()
                ? List.of(DefaultPool.fromEnvironment(System.getenv()))
                : SpecFiles.read(config.getSpecs().stream().map(Path::of).toList());
        List<PoolSettings> settings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (SandboxPool spec : specs) {
            try {
                PoolSettings s = PoolSpecValidator.validate(spec.getMetadata().getName(), spec.getSpec());
                if (settings.stream().anyMatch(other -> other.name().equals(s.name()))) {
                    problems.add("SandboxPool " + s.name() + " is declared twice");
                }
                settings.add(s);
            } catch (InvalidSpecException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new SpecFileException("no pool started, the specs have errors:\n  - "
                    + String.join("\n  - ", problems));
        }
        for (PoolSettings s : settings) {
            WarmPool pool = new WarmPool(s, backend, PoolEngineConfig.defaults(), Clock.systemUTC(), events);
            pools.put(s.name(), pool);
            metrics.watch(pool);
            metrics.watchLeases(s.name(), pool::activeLeases);
            pool.start();
        }
        log.info("local mode: {} pool(s) on Docker: {}", pools.size(), pools.keySet());
    }

    @Override
    public Optional<Pool> find(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    @Override
    public Collection<Pool> all() {
        return List.copyOf(pools.values());
    }

    /** Removes every member: a stopped local mode leaves no container behind. */
    @PreDestroy
    public void stop() {
        pools.values().parallelStream().forEach(WarmPool::stop);
    }
}
