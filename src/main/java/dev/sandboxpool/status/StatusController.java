package dev.sandboxpool.status;

import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.pool.PoolStats;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * The live status page at {@code /}: every pool with its members as they are, the last executions and retirements.
 * Its script and style are served from the jar (nothing is fetched from anywhere else, and the policy below forbids
 * it); the script polls {@code /status/pools} twice a second and swaps the fragment in. Like pool reads, rendering
 * looks at memory only and stays on the event loop.
 */
@Controller
@Requires(beans = PoolRegistry.class)
public class StatusController {
    static final String PAGE = "/";
    static final String ASSETS = "/status";
    /**
     * Only this origin's script and style, no inline script (so even a value rendered wrongly cannot run), no
     * framing, no form posts.
     */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final PoolRegistry pools;
    private final RecentActivity recent;
    private final String title;
    private final Clock clock = Clock.systemUTC();
    private final byte[] script = resource("status/app.js");
    private final byte[] style = resource("status/app.css");

    public StatusController(PoolRegistry pools, RecentActivity recent,
            @Value("${sandboxpool.mode:local}") String mode) {
        this.pools = pools;
        this.recent = recent;
        this.title = "sandbox-pool · " + mode;
    }

    @Get(uri = PAGE, produces = MediaType.TEXT_HTML)
    public MutableHttpResponse<String> page() {
        return secured(HttpResponse.ok(StatusPage.page(title, stats(), recent, clock.instant())));
    }

    @Get(uri = ASSETS + "/pools", produces = MediaType.TEXT_HTML)
    public MutableHttpResponse<String> poolsFragment() {
        return secured(HttpResponse.ok(StatusPage.pools(stats(), recent, clock.instant())));
    }

    @Get(uri = ASSETS + "/app.js", produces = "text/javascript")
    public MutableHttpResponse<byte[]> script() {
        return secured(HttpResponse.ok(script));
    }

    @Get(uri = ASSETS + "/app.css", produces = "text/css")
    public MutableHttpResponse<byte[]> style() {
        return secured(HttpResponse.ok(style));
    }

    private List<PoolStats> stats() {
        return pools.all().stream().map(Pool::stats).toList();
    }

    private static <T> MutableHttpResponse<T> secured(MutableHttpResponse<T> response) {
        return response.header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
    }

    private static byte[] resource(String path) {
        try (InputStream in = StatusController.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
