package dev.sandboxpool.pool;

import java.time.Duration;

/** No member became free within the caller's wait: every member is leased and the pool is at maxSize, or starting. */
public class NoSandboxAvailableException extends RuntimeException {
    private final Duration retryAfter;

    public NoSandboxAvailableException(String pool, Duration waited, Duration retryAfter) {
        super("no sandbox of pool " + pool + " became free within " + waited.toMillis() + " ms");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
