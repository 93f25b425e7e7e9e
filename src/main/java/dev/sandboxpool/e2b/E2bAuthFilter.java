package dev.sandboxpool.e2b;

import dev.sandboxpool.http.ApiToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Locale;
import java.util.Set;

/**
 * Who may call {@code /e2b}, checked before any route (and before a member is touched).
 *
 * <ul>
 *   <li>The control plane (create, list, connect, kill...) needs {@code X-API-Key: <the API token>} when one is set,
 *       as E2B's API does; its bodies must be {@code application/json} (a web page can send that type only after a
 *       preflight, which {@code CrossSiteFilter} refuses, as for {@code /v1}).</li>
 *   <li>The sandbox plane (everything the SDKs send with {@code E2b-Sandbox-Id}) needs that sandbox's access token
 *       ({@link AccessTokens}) in {@code X-Access-Token} or {@code E2B-Traffic-Access-Token}, always, token set or
 *       not: an id alone (from a log, a URL, a list) must run nothing. Being a custom header, it also makes every such
 *       call from a web page a preflighted one, whatever its content type (multipart uploads included). The port must
 *       be the service's: 49983 for envd (processes, files), 49999 for the code interpreter.</li>
 * </ul>
 */
@ServerFilter("/e2b/**")
@Order(0)
public class E2bAuthFilter {
    static final String SANDBOX_ID = "E2b-Sandbox-Id";
    static final String SANDBOX_PORT = "E2b-Sandbox-Port";
    static final String ACCESS_TOKEN = "X-Access-Token";
    static final String TRAFFIC_TOKEN = "E2B-Traffic-Access-Token";
    static final String API_KEY = "X-API-Key";
    static final int ENVD_PORT = 49983;
    static final int INTERPRETER_PORT = 49999;

    private static final Set<String> INTERPRETER_PATHS = Set.of("/e2b/execute", "/e2b/contexts");

    private final ApiToken apiToken;
    private final AccessTokens tokens;

    public E2bAuthFilter(ApiToken apiToken, AccessTokens tokens) {
        this.apiToken = apiToken;
        this.tokens = tokens;
    }

    /** The service a sandbox-plane path belongs to: its port, or 0 for a control-plane path. */
    static int servicePort(String path) {
        if (path.startsWith("/e2b/process.Process/") || path.startsWith("/e2b/filesystem.Filesystem/")
                || path.equals("/e2b/files") || path.equals("/e2b/health") || path.equals("/e2b/envs")
                || path.equals("/e2b/metrics") || path.equals("/e2b/init")) {
            return ENVD_PORT;
        }
        if (INTERPRETER_PATHS.contains(path) || path.startsWith("/e2b/contexts/")) {
            return INTERPRETER_PORT;
        }
        return 0;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        String path = request.getPath();
        int port = servicePort(path);
        String sandboxId = request.getHeaders().get(SANDBOX_ID);
        if (port == 0 && sandboxId == null) {
            return controlPlane(request);
        }
        return sandboxPlane(request, path, port, sandboxId);
    }

    @Nullable
    private HttpResponse<?> controlPlane(HttpRequest<?> request) {
        if (apiToken.required()) {
            String key = request.getHeaders().get(API_KEY);
            if (key == null || !apiToken.matches(key)) {
                return e2b(401, key == null ? "an X-API-Key header with the API token is required"
                        : "the X-API-Key is not valid");
            }
        }
        if (hasBody(request) && !isType(request, MediaType.APPLICATION_JSON_TYPE)) {
            return e2b(415, "the body must be JSON sent with Content-Type: application/json");
        }
        return null;
    }

    @Nullable
    private HttpResponse<?> sandboxPlane(HttpRequest<?> request, String path, int port, @Nullable String sandboxId) {
        boolean rpc = path.startsWith("/e2b/process.") || path.startsWith("/e2b/filesystem.");
        if (sandboxId == null) {
            return refuse(rpc, Connect.Code.UNAUTHENTICATED, "an E2b-Sandbox-Id header naming the sandbox is "
                    + "required");
        }
        String token = request.getHeaders().get(ACCESS_TOKEN);
        if (token == null) {
            token = request.getHeaders().get(TRAFFIC_TOKEN);
        }
        if (!tokens.valid(sandboxId, token)) {
            return refuse(rpc, Connect.Code.UNAUTHENTICATED, token == null
                    ? "the sandbox's access token is required (X-Access-Token, as the SDK sends it after create or "
                    + "connect)" : "the access token is not this sandbox's");
        }
        String asked = request.getHeaders().get(SANDBOX_PORT);
        if (port == 0 || !String.valueOf(port).equals(asked == null ? null : asked.strip())) {
            return refuse(rpc, Connect.Code.UNAVAILABLE, "the sandbox is running but port " + asked
                    + " serves nothing at " + path + " (sandbox-pool serves envd on " + ENVD_PORT
                    + " and the code interpreter on " + INTERPRETER_PORT + ")");
        }
        if (rpc && request.getMethod() != HttpMethod.POST) {
            return refuse(true, Connect.Code.UNIMPLEMENTED, "Connect calls are POSTs");
        }
        return null;
    }

    private static HttpResponse<?> refuse(boolean rpc, Connect.Code code, String message) {
        if (rpc) {
            return HttpResponse.<byte[]>ok().status(code.httpStatus(), code.wire())
                    .contentType(MediaType.APPLICATION_JSON_TYPE).body(Connect.errorJson(code, message));
        }
        return e2b(code.httpStatus(), message);
    }

    private static MutableHttpResponse<E2bError> e2b(int status, String message) {
        return HttpResponse.<E2bError>ok().status(status, "E2B error").body(new E2bError(status, message));
    }

    static boolean hasBody(HttpRequest<?> request) {
        if (request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return true;
        }
        String length = request.getHeaders().get(HttpHeaders.CONTENT_LENGTH);
        return length != null && !length.strip().equals("0");
    }

    static boolean isType(HttpRequest<?> request, MediaType type) {
        String value = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
        if (value == null) {
            return false;
        }
        int semicolon = value.indexOf(';');
        String media = (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return media.equals(type.getName());
    }
}
