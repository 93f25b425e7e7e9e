package dev.sandboxpool.pool;

import dev.sandboxpool.execution.ExecutionResult;

/** What a pool reports as it works; metrics listen here, so the engine knows nothing of a metrics library. */
public interface PoolEvents {
    PoolEvents NONE = new PoolEvents() {
    };

    default void acquired(String pool, long waitedMs, boolean warm) {
    }

    default void executed(String pool, ExecutionResult result) {
    }

    default void leaseExpired(String pool) {
    }

    default void probeFailed(String pool) {
    }

    default void memberRetired(String pool, RetireReason reason) {
    }
}
