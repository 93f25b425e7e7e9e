package dev.sandboxpool.http;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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

    /**
     * Local mode: host names (or addresses) besides the loopback ones that a request's {@code Host} may name, any port
     * ({@code SANDBOXPOOL_ALLOWED_HOSTS}, comma-separated). Default none: only {@code localhost}, {@code 127.0.0.1},
     * {@code [::1]} and the address the server is bound to.
     */
    private List<String> allowedHosts = List.of();

    /**
     * Local mode: origins ({@code scheme://host[:port]}) whose web pages may call the API
     * ({@code SANDBOXPOOL_ALLOWED_ORIGINS}, comma-separated). Default none: a request with any {@code Origin} is
     * refused.
     */
    private List<String> allowedOrigins = List.of();

    /**
     * Time a client has to send a request's line and headers, from the request's first byte (or from the connection's
     * opening, for its first request). Default 10s.
     */
    private Duration headerTimeout = Duration.ofSeconds(10);

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

    public List<String> getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
        this.allowedHosts = normalised(allowedHosts);
    }

    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = normalised(allowedOrigins);
    }

    public Duration getHeaderTimeout() {
        return headerTimeout;
    }

    public void setHeaderTimeout(Duration headerTimeout) {
        this.headerTimeout = headerTimeout;
    }

    /** Lower case, without blanks: an unset environment variable gives one empty entry, which admits nothing. */
    private static List<String> normalised(List<String> entries) {
        return entries == null ? List.of() : entries.stream()
                .map(String::strip)
                .filter(e -> !e.isEmpty())
                .map(e -> e.toLowerCase(Locale.ROOT))
                .toList();
    }
}
