package dev.sandboxpool.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * When a token is configured, every {@code /v1} call needs {@code Authorization: Bearer <token>}. Health, metrics and
 * the API description stay open for probes and scrapers.
 */
@ServerFilter("/v1/**")
public class BearerTokenFilter {
    private final byte[] expected;

    public BearerTokenFilter(ApiConfig config) {
        String token = config.getToken();
        this.expected = token == null || token.isBlank() ? null : digest(token.strip());
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ApiError> authenticate(HttpRequest<?> request) {
        if (expected == null) {
            return null;
        }
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("an Authorization: Bearer <token> header is required");
        }
        // digests have one length whatever the token's: the comparison leaks neither content nor length
        if (!MessageDigest.isEqual(expected, digest(header.substring(7).strip()))) {
            return unauthorized("the bearer token is not valid");
        }
        return null;
    }

    private static HttpResponse<ApiError> unauthorized(String message) {
        return HttpResponse.<ApiError>status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sandbox-pool\"")
                .body(new ApiError("Unauthorized", message));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
