package dev.sandboxpool.status;

import dev.sandboxpool.http.ApiError;
import dev.sandboxpool.http.ApiToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The status page needs the API token when one is set, as {@code /v1} does. A browser cannot add a bearer header to
 * a page it navigates to, so here the token is also taken as the password of HTTP Basic (any user name): the browser
 * asks for it once and sends it with the page's own requests. The page only reads, and {@code /v1} never accepts
 * Basic, so a browser's remembered credentials can show the page but never run code.
 */
@ServerFilter({StatusController.PAGE, StatusController.ASSETS + "/**"})
public class StatusAuthFilter {
    static final String CHALLENGE = "Basic realm=\"sandbox-pool status\", charset=\"UTF-8\"";

    private final ApiToken token;

    public StatusAuthFilter(ApiToken token) {
        this.token = token;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ApiError> authenticate(HttpRequest<?> request) {
        if (!token.required()) {
            return null;
        }
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return unauthorized("the status page needs the API token: as the password of HTTP Basic (any user "
                    + "name) or as Authorization: Bearer <token>");
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String problem = token.bearerProblem(header);
            return problem == null ? null : unauthorized(problem);
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String password = basicPassword(header.substring(6).strip());
            return password != null && token.matches(password) ? null : unauthorized("the password is not the API "
                    + "token");
        }
        return unauthorized("the Authorization header is neither Basic nor Bearer");
    }

    /** The password of Basic credentials ({@code base64(user:password)}), null when they are not well formed. */
    static String basicPassword(String credentials) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(credentials);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? null : pair.substring(colon + 1);
    }

    private static HttpResponse<ApiError> unauthorized(String message) {
        return ApiToken.unauthorized(message, CHALLENGE);
    }
}
