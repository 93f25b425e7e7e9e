package dev.sandboxpool.http;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The API token, when one is configured, and the one way presented tokens are compared with it. */
@Singleton
public class ApiToken {
    private final byte[] expected;

    public ApiToken(ApiConfig config) {
        String token = config.getToken();
        this.expected = token == null || token.isBlank() ? null : digest(token.strip());
    }

    /** Whether calls must present it. */
    public boolean required() {
        return expected != null;
    }

    /** Whether {@code presented} is the token (surrounding blanks ignored). */
    public boolean matches(String presented) {
        // digests have one length whatever the token's: the comparison leaks neither content nor length
        return expected != null && MessageDigest.isEqual(expected, digest(presented.strip()));
    }

    /** Why {@code authorization} (a header's value, may be null) is not {@code Bearer <the token>}; null when it is. */
    public String bearerProblem(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "an Authorization: Bearer <token> header is required";
        }
        return matches(authorization.substring(7)) ? null : "the bearer token is not valid";
    }

    /** A 401 with an API error and these {@code WWW-Authenticate} challenges. */
    public static MutableHttpResponse<ApiError> unauthorized(String message, String... challenges) {
        MutableHttpResponse<ApiError> response = HttpResponse.<ApiError>status(HttpStatus.UNAUTHORIZED)
                .body(new ApiError("Unauthorized", message));
        for (String challenge : challenges) {
            response.getHeaders().add(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        return response;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
