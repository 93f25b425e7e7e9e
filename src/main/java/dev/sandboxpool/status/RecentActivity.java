package dev.sandboxpool.status;

import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.RetireReason;
import io.micronaut.context.annotation.Bean;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The last executions and retirements of each pool, for the status page: a few of each, newest first, in memory
 * (this process's alone: in a cluster each lease API replica shows what it served, and the operator's retirements are
 * its Events). It keeps how things ended, never what ran: no code, output or file of a tenant reaches the page.
 */
@Singleton
@Bean(typed = RecentActivity.class) // the application's PoolEvents is the fan-out of PoolListeners
public class RecentActivity implements PoolEvents {
    /** Per pool and kind: enough for a glance, bounded whatever the traffic. */
    static final int KEPT = 10;

    /** One execution as the page shows it. */
    public record Execution(Instant at, String member, String outcome, int exitCode, long durationMs) {
    }

    /** One retirement as the page shows it. */
    public record Retirement(Instant at, String member, RetireReason reason) {
    }

    private final Clock clock;
    private final ConcurrentMap<String, Recent<Execution>> executions = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Recent<Retirement>> retirements = new ConcurrentHashMap<>();

    @Inject
    public RecentActivity() {
        this(Clock.systemUTC());
    }

    RecentActivity(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void executed(String pool, String member, ExecutionResult result) {
        executions.computeIfAbsent(pool, p -> new Recent<>()).add(new Execution(clock.instant(), member,
                result.outcome(), result.exitCode(), result.durationMs()));
    }

    @Override
    public void memberRetired(String pool, String member, RetireReason reason) {
        retirements.computeIfAbsent(pool, p -> new Recent<>()).add(new Retirement(clock.instant(), member, reason));
    }

    /** Newest first. */
    public List<Execution> executions(String pool) {
        Recent<Execution> r = executions.get(pool);
        return r == null ? List.of() : r.newestFirst();
    }

    /** Newest first. */
    public List<Retirement> retirements(String pool) {
        Recent<Retirement> r = retirements.get(pool);
        return r == null ? List.of() : r.newestFirst();
    }

    /** Called on the pool's threads, some under its lock: a short synchronized add, nothing else. */
    private static final class Recent<T> {
        private final ArrayDeque<T> items = new ArrayDeque<>(KEPT);

        synchronized void add(T item) {
            if (items.size() == KEPT) {
                items.removeLast();
            }
            items.addFirst(item);
        }

        synchronized List<T> newestFirst() {
            return List.copyOf(items);
        }
    }
}
