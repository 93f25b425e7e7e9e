package dev.sandboxpool.pool;

import dev.sandboxpool.execution.ExecutionResult;
import java.util.List;

/**
 * What a pool reports as it works; metrics and the status page listen here, so the engine knows nothing of either.
 * Listeners are called on the pool's threads, some under its lock: they record and return, never block.
 * {@code member} is the sandbox's name as leases show it (its id while it has none yet).
 */
public interface PoolEvents {
    PoolEvents NONE = new PoolEvents() {
    };

    default void acquired(String pool, long waitedMs, boolean warm) {
    }

    default void executed(String pool, String member, ExecutionResult result) {
    }

    default void leaseExpired(String pool) {
    }

    default void probeFailed(String pool) {
    }

    default void memberRetired(String pool, String member, RetireReason reason) {
    }

    /** Every event to each of {@code listeners}, in order. */
    static PoolEvents all(PoolEvents... listeners) {
        List<PoolEvents> each = List.of(listeners);
        return new PoolEvents() {
            @Override
            public void acquired(String pool, long waitedMs, boolean warm) {
                each.forEach(l -> l.acquired(pool, waitedMs, warm));
            }

            @Override
            public void executed(String pool, String member, ExecutionResult result) {
                each.forEach(l -> l.executed(pool, member, result));
            }

            @Override
            public void leaseExpired(String pool) {
                each.forEach(l -> l.leaseExpired(pool));
            }

            @Override
            public void probeFailed(String pool) {
                each.forEach(l -> l.probeFailed(pool));
            }

            @Override
            public void memberRetired(String pool, String member, RetireReason reason) {
                each.forEach(l -> l.memberRetired(pool, member, reason));
            }
        };
    }
}
