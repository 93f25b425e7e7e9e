package dev.sandboxpool.http;

import io.micronaut.context.annotation.ConfigurationProperties;

/** Settings of the HTTP API ({@value #PREFIX}.*). */
@ConfigurationProperties(ApiConfig.PREFIX)
public class ApiConfig {
    public static final String PREFIX = "sandboxpool.api";

    /**
     * Bearer token every {@code /v1} call must carry ({@code SANDBOXPOOL_API_TOKEN}). Unset: no authentication, for
     * local mode bound to 127.0.0.1.
     */
    private String token;

    /** Largest code accepted, in bytes. Default 1 MiB. */
    private int maxCodeBytes = 1 << 20;

    /** Largest stdin accepted, in bytes. Default 1 MiB. */
    private int maxStdinBytes = 1 << 20;

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
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
