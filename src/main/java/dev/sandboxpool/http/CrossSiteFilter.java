package dev.sandboxpool.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Local mode serves the programs of this machine, never a web page that a browser on it happens to show. Without a
 * token, any page could otherwise run code through {@code 127.0.0.1}: a {@code fetch} with {@code mode: 'no-cors'}
 * sends a POST without a preflight, and a name rebound to 127.0.0.1 (DNS rebinding) makes the page same-origin with
 * this server, so it can read every answer too. So every request, on every path (a rebound page could read pool
 * details from {@code /v1}, {@code /health} and {@code /metrics} alike), must name this machine in its {@code Host}
 * (a rebound page's requests carry the attacker's name) and must carry no {@code Origin} that is not listed (browsers
 * send one with every cross-origin POST and every CORS request; programs such as curl send none). A request without
 * {@code Host} is let through: browsers always send one. The pages of a listed origin get CORS from Micronaut
 * ({@code micronaut.server.cors} in application.yml takes the same list). The cluster modes are reached through a
 * Service under names this process cannot know, and have a token: there this filter does not exist.
 */
@ServerFilter("/**")
@Order(-100)
@Requires(property = "sandboxpool.mode", value = "local", defaultValue = "local")
public class CrossSiteFilter {
    private static final int SHOWN_CHARS = 100;
    /** What may follow the name in a Host header: compiled once, as every request is checked. */
    private static final Pattern PORT = Pattern.compile(":[0-9]{0,5}");

    private final Set<String> hosts = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
    private final Set<String> origins = new HashSet<>();

    public CrossSiteFilter(ApiConfig config, @Value("${micronaut.server.host:}") String boundHost) {
        // bound to one name or address, the server is reached by it; a wildcard is no name
        String bound = configured(boundHost.strip());
        if (!bound.isEmpty() && !Set.of("0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]").contains(bound)) {
            hosts.add(bound);
        }
        config.getAllowedHosts().forEach(h -> hosts.add(configured(h)));
        config.getAllowedOrigins().forEach(o -> origins.add(origin(o)));
    }

    @RequestFilter
    @Nullable
    public HttpResponse<ApiError> check(HttpRequest<?> request) {
        String host = request.getHeaders().get(HttpHeaders.HOST);
        if (host != null && !hostAllowed(host)) {
            return forbidden("Host " + shown(host) + " does not name this machine: local mode answers requests to "
                    + "localhost, 127.0.0.1 and [::1] only, and to the names in sandboxpool.api.allowed-hosts "
                    + "(SANDBOXPOOL_ALLOWED_HOSTS)");
        }
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin != null && !originAllowed(origin)) {
            return forbidden("calls from web pages are refused in local mode: Origin " + shown(origin)
                    + " is not in sandboxpool.api.allowed-origins (SANDBOXPOOL_ALLOWED_ORIGINS)");
        }
        return null;
    }

    boolean hostAllowed(String hostHeader) {
        String n = name(hostHeader.strip().toLowerCase(Locale.ROOT));
        return n != null && hosts.contains(n);
    }

    boolean originAllowed(String originHeader) {
        return origins.contains(origin(originHeader));
    }

    /**
     * The name of a {@code Host} value without its port ({@code [::1]} keeps its brackets), or null when it is no
     * host: an IPv6 address needs brackets, a port only digits.
     */
    @Nullable
    static String name(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String name;
        String rest;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return null;
            }
            name = h.substring(0, end + 1);
            rest = h.substring(end + 1);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
            rest = colon < 0 ? "" : h.substring(colon);
        }
        if (!rest.isEmpty() && !PORT.matcher(rest).matches()) {
            return null;
        }
        return name;
    }

    /** A configured name as {@link #name} gives it; a bare IPv6 address gets its brackets. */
    private static String configured(String host) {
        String n = name(host);
        return n == null ? "[" + host.toLowerCase(Locale.ROOT) + "]" : n;
    }

    private static String origin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    private static String shown(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(value.length(), SHOWN_CHARS); i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return value.length() > SHOWN_CHARS ? out.append("...").toString() : out.toString();
    }

    private static HttpResponse<ApiError> forbidden(String message) {
        return HttpResponse.<ApiError>status(HttpStatus.FORBIDDEN).body(new ApiError("Forbidden", message));
    }
}
