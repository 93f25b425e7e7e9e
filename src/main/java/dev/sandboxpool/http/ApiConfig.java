package dev.sandboxpool.http;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** Settings of the HTTP API ({@value #PREFIX}.*). */
@ConfigurationProperties(ApiConfig.PREFIX)
public class ApiConfig {
    public static final String PREFIX = "sandboxpool.api";

    /** How long a one-shot execution waits for a free sandbox before it gets 429. Default 30s. */
    private Duration acquireTimeout = Duration.ofSeconds(30);

    /** Largest code accepted, in bytes. Default 1 MiB. */
    private int maxCodeBytes = 1 << 20;

    /** Largest stdin accepted, in bytes. Default 1 MiB. */
    private int maxStdinBytes = 1 << 20;

    public Duration getAcquireTimeout() {
        return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public int getMaxCodeBytes() {
        return maxCodeBytes;
    }

    public void setMaxCodeBytes(int maxCodeBytes) {
        this.maxCodeBytes = maxCodeBytes;
    }

    public int getMaxStdinBytes() {
        return maxStdinBytes;
    }

    public void setMaxStdinBytes(int maxStdinBytes) {
        this.maxStdinBytes = maxStdinBytes;
    }
}
