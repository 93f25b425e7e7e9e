package dev.sandboxpool.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * When a token is configured, every {@code /v1} call needs {@code Authorization: Bearer <token>}. Health, metrics and
 * the API description stay open for probes and scrapers. Only a bearer header counts here: credentials a browser
 * sends by itself (Basic, as the status page accepts them) must never be enough to run code.
 */
@ServerFilter("/v1/**")
public class BearerTokenFilter {
    static final String CHALLENGE = "Bearer realm=\"sandbox-pool\"";

    private final ApiToken token;

    public BearerTokenFilter(ApiToken token) {
        this.token = token;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ApiError> authenticate(HttpRequest<?> request) {
        if (!token.required()) {
            return null;
        }
        String problem = token.bearerProblem(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (problem != null) {
            return ApiToken.unauthorized(problem, CHALLENGE);
        }
        return null;
    }
}
