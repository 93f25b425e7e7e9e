package dev.sandboxpool.metrics;

import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.PoolWatcher;
import dev.sandboxpool.pool.RetireReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Bean;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Pool events as Prometheus metrics ({@code sandboxpool_*}). Member gauges read the pool's stats when scraped, so
 * they are never stale and cost nothing between scrapes.
 */
// typed: the application's PoolEvents is PoolListeners' fan-out, which includes this
@Singleton
@Bean(typed = PoolMetrics.class)
public class PoolMetrics implements PoolEvents, PoolWatcher {
    private final MeterRegistry registry;

    public PoolMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of one pool. */
    public void watch(Pool pool) {
        for (MemberState state : MemberState.values()) {
            gauge("sandboxpool_members", "Members by state", pool.name(), () -> pool.stats().members().stream()
                    .map(MemberInfo::state).filter(state::equals).count(), "state", state.name().toLowerCase());
        }
        gauge("sandboxpool_waiting_callers", "Callers waiting for a member", pool.name(),
                () -> pool.stats().waiters());
        gauge("sandboxpool_backend_up", "1 while the pool's backend answers (local mode: the Docker daemon)",
                pool.name(), () -> pool.stats().backendAvailable() ? 1 : 0);
        // counters exist from the start, at 0, so rate() and increase() see the first event and a dashboard's
        // panels are there before anything happened
        for (String outcome : ExecutionResult.OUTCOMES) {
            executions(pool.name(), outcome);
        }
        leasesExpired(pool.name());
        probeFailures(pool.name());
        for (RetireReason reason : RetireReason.values()) {
            retired(pool.name(), reason);
        }
    }

    private Counter executions(String pool, String outcome) {
        return Counter.builder("sandboxpool_executions_total").description("Executions by outcome")
                .tag("pool", pool).tag("outcome", outcome).register(registry);
    }

    private Counter leasesExpired(String pool) {
        return Counter.builder("sandboxpool_leases_expired_total")
                .description("Leases reclaimed because they were not renewed").tag("pool", pool).register(registry);
    }

    private Counter probeFailures(String pool) {
        return Counter.builder("sandboxpool_probe_failures_total").description("Failed health probes of ready members")
                .tag("pool", pool).register(registry);
    }

    private Counter retired(String pool, RetireReason reason) {
        return Counter.builder("sandboxpool_members_retired_total").description("Members removed, by reason")
                .tag("pool", pool).tag("reason", reason.name().toLowerCase()).register(registry);
    }

    /**
     * A cluster pool this lease API replica serves: its gauges, read from the pods this replica sees. Every replica
     * sees the same pods, so members and leases are the same in each (the dashboard takes their max); waiting
     * callers are each replica's own (summed).
     */
    @Override
    public void served(Pool pool) {
        watch(pool);
        watchLeases(pool.name(), () -> pool.stats().leased());
    }

    /** Drops the pool's gauges: they read the pool object, which is stopped now. Counters stay, as history. */
    @Override
    public void gone(Pool pool) {
        registry.getMeters().stream()
                .filter(m -> m instanceof Gauge && pool.name().equals(m.getId().getTag("pool")))
                .toList()
                .forEach(registry::remove);
    }

    /** Registers the gauge of active leases, counted by whoever holds them. */
    public void watchLeases(String pool, Supplier<Number> active) {
        gauge("sandboxpool_leases_active", "Leases held right now", pool, active);
    }

    private void gauge(String name, String help, String pool, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(help).tag("pool", pool).tags(tags).register(registry);
    }

    @Override
    public void acquired(String pool, long waitedMs, boolean warm) {
        Timer.builder("sandboxpool_acquire_seconds")
                .description("Time callers waited for a member; warm=true when a ready member was waiting")
                .tag("pool", pool).tag("warm", Boolean.toString(warm))
                .publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(waitedMs));
    }

    @Override
    public void executed(String pool, String member, ExecutionResult result) {
        Timer.builder("sandboxpool_execution_seconds").description("Duration of executions inside the sandbox")
                .tag("pool", pool).publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(result.durationMs()));
        executions(pool, result.outcome()).increment();
    }

    @Override
    public void leaseExpired(String pool) {
        leasesExpired(pool).increment();
    }

    @Override
    public void probeFailed(String pool) {
        probeFailures(pool).increment();
    }

    @Override
    public void memberRetired(String pool, String member, RetireReason reason) {
        retired(pool, reason).increment();
    }
}
