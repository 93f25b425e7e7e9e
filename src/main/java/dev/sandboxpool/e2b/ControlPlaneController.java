package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.pool.Futures;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.spec.PoolSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * E2B's control plane over leases: a sandbox is a lease of the pool its template names, its id is the lease id
 * ({@code <pool>.<128-bit hex token>}: URL- and header-safe, unguessable), its timeout the lease's time to live.
 * Calls E2B has and a lease cannot honour (pause, snapshots, templates, volumes, network rules) are answered by
 * {@link UnsupportedController}.
 */
@Controller("/e2b")
@Requires(beans = PoolRegistry.class)
@Produces(MediaType.APPLICATION_JSON)
public class ControlPlaneController {
    /** What envd version the SDKs are told: new enough for default users and stdin closing, below octet uploads. */
    static final String ENVD_VERSION = "0.5.6";
    /** E2B's own default sandbox timeout, for a create call that names none. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

    private final PoolRegistry pools;
    private final E2bSandboxes sandboxes;
    private final AccessTokens tokens;

    public ControlPlaneController(PoolRegistry pools, E2bSandboxes sandboxes, AccessTokens tokens) {
        this.pools = pools;
        this.sandboxes = sandboxes;
        this.tokens = tokens;
    }

    @Post("/v2/sandboxes")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<JsonNode>> create(@Nullable @Body byte[] body) {
        NewSandbox request = NewSandbox.of(object(body));
        Pool pool = pools.find(request.template()).orElseThrow(() -> new E2bException(404,
                "template '" + request.template() + "' not found: sandbox-pool serves its pools as templates ("
                        + String.join(", ", pools.all().stream().map(Pool::name).sorted().toList()) + ")"));
        Duration ttl = ttl(request.timeout(), pool.settings());
        Instant started = Instant.now();
        return Futures.map(pool.acquireAsync(pool.settings().acquireTimeout(), ttl).exceptionally(t -> {
            throw E2bException.of(t, "(new)");
        }), lease -> {
            sandboxes.created(lease, new E2bSandboxes.Details(request.template(), request.metadata(),
                    request.envs(), started));
            return HttpResponse.<JsonNode>status(HttpStatus.CREATED).body(sandbox(lease, request.template()));
        });
    }

    /** The first API's create: the same body and answer. */
    @Post("/sandboxes")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<JsonNode>> createV1(@Nullable @Body byte[] body) {
        return create(body);
    }

    @Get("/v2/sandboxes{?metadata,state,limit}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<JsonNode> list(@Nullable @QueryValue String metadata, @Nullable @QueryValue String state,
            @Nullable @QueryValue Integer limit) {
        Map<String, String> wanted = metadataQuery(metadata);
        boolean running = state == null || List.of(state.split(",")).contains("running");
        ArrayNode out = Connect.mapper().createArrayNode();
        if (running) {
            sandboxes.active().stream()
                    .filter(e -> e.getValue().metadata().entrySet().containsAll(wanted.entrySet()))
                    .sorted(Comparator.comparing(e -> e.getKey().acquiredAt()))
                    .limit(limit == null || limit <= 0 ? Long.MAX_VALUE : limit)
                    .forEach(e -> out.add(listed(e.getKey(), e.getValue())));
        }
        return HttpResponse.ok(out);
    }

    @Get("/sandboxes{?metadata}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<JsonNode> listV1(@Nullable @QueryValue String metadata) {
        return list(metadata, null, null);
    }

    @Get("/sandboxes/{sandboxId}")
    public CompletableFuture<JsonNode> info(String sandboxId) {
        return Futures.map(active(sandboxId), lease -> {
            ObjectNode detail = listed(lease, sandboxes.details(sandboxId).orElse(null));
            detail.put("envdAccessToken", tokens.of(sandboxId));
            return detail;
        });
    }

    @Delete("/sandboxes/{sandboxId}")
    public CompletableFuture<HttpResponse<Void>> kill(String sandboxId) {
        Pool pool = poolOf(sandboxId);
        return Futures.map(pool.releaseAsync(sandboxId).exceptionally(t -> {
            throw E2bException.of(t, sandboxId);
        }), done -> {
            sandboxes.forget(sandboxId);
            return HttpResponse.noContent();
        });
    }

    @Post("/sandboxes/{sandboxId}/timeout")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<Void>> setTimeout(String sandboxId, @Nullable @Body byte[] body) {
        JsonNode timeout = object(body).get("timeout");
        if (timeout == null || !timeout.canConvertToLong() || timeout.asLong() < 0) {
            throw E2bException.badRequest("timeout: a number of seconds, 0 or more, is required");
        }
        return renew(sandboxId, timeout.asLong()).thenApply(lease -> HttpResponse.noContent());
    }

    /** Keep-alive: extends the sandbox by {@code duration} seconds from now. */
    @Post("/sandboxes/{sandboxId}/refreshes")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<Void>> refresh(String sandboxId, @Nullable @Body byte[] body) {
        JsonNode duration = object(body).get("duration");
        long seconds = duration != null && duration.canConvertToLong() ? duration.asLong() : 60;
        return renew(sandboxId, seconds).thenApply(lease -> HttpResponse.noContent());
    }

    /**
     * Connecting to a running sandbox: its timeout becomes {@code timeout} from now when that is later than its end
     * (E2B never shortens a sandbox on connect), and the caller, who has the API key, gets its access token.
     */
    @Post("/v2/sandboxes/{sandboxId}/connect")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<JsonNode>> connect(String sandboxId, @Nullable @Body byte[] body) {
        JsonNode timeout = object(body).get("timeout");
        Pool pool = poolOf(sandboxId);
        CompletableFuture<Lease> lease = active(sandboxId);
        if (timeout != null && timeout.canConvertToLong()) {
            Duration ttl = ttl(timeout.asLong(), pool.settings());
            lease = lease.thenCompose(l -> l.expiresAt().isBefore(Instant.now().plus(ttl))
                    ? pool.renewAsync(sandboxId, ttl) : CompletableFuture.completedFuture(l));
        }
        return lease.handle((l, t) -> {
            if (t != null) {
                throw E2bException.of(t, sandboxId);
            }
            String template = sandboxes.details(sandboxId).map(E2bSandboxes.Details::template).orElse(pool.name());
            return HttpResponse.ok(sandbox(l, template));
        });
    }

    @Post("/sandboxes/{sandboxId}/connect")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<JsonNode>> connectV1(String sandboxId, @Nullable @Body byte[] body) {
        return connect(sandboxId, body);
    }

    private CompletableFuture<Lease> renew(String sandboxId, long seconds) {
        Pool pool = poolOf(sandboxId);
        return pool.renewAsync(sandboxId, ttl(seconds, pool.settings())).exceptionally(t -> {
            throw E2bException.of(t, sandboxId);
        });
    }

    private CompletableFuture<Lease> active(String sandboxId) {
        return poolOf(sandboxId).activeLeaseAsync(sandboxId).exceptionally(t -> {
            throw E2bException.of(t, sandboxId);
        });
    }

    private Pool poolOf(String sandboxId) {
        return pools.poolOfLease(sandboxId).orElseThrow(() -> E2bException.notFound(sandboxId));
    }

    /** E2B's timeout in seconds as a lease TTL: capped by the pool's {@code lease.maxTtl}, at least a second. */
    static Duration ttl(Long seconds, PoolSettings pool) {
        Duration asked = seconds == null ? DEFAULT_TIMEOUT : Duration.ofSeconds(Math.max(1, seconds));
        return asked.compareTo(pool.leaseMaxTtl()) > 0 ? pool.leaseMaxTtl() : asked;
    }

    private ObjectNode sandbox(Lease lease, String template) {
        ObjectNode out = Connect.object();
        out.put("templateID", template);
        out.put("sandboxID", lease.id());
        out.put("alias", template);
        out.put("clientID", "sandbox-pool");
        out.put("envdVersion", ENVD_VERSION);
        String token = tokens.of(lease.id());
        out.put("envdAccessToken", token);
        // the code interpreter's context calls carry only this one
        out.put("trafficAccessToken", token);
        return out;
    }

    private ObjectNode listed(Lease lease, @Nullable E2bSandboxes.Details details) {
        PoolSettings settings = poolOf(lease.id()).settings();
        ObjectNode out = Connect.object();
        String template = details == null ? lease.pool() : details.template();
        out.put("templateID", template);
        out.put("alias", template);
        out.put("sandboxID", lease.id());
        out.put("clientID", "sandbox-pool");
        out.put("startedAt", lease.acquiredAt().toString());
        out.put("endAt", lease.expiresAt().toString());
        out.put("cpuCount", Math.max(1, (int) Math.ceil(settings.milliCpus() / 1000.0)));
        out.put("memoryMB", settings.memoryBytes() / (1024 * 1024));
        out.put("diskSizeMB", settings.tmpfsBytes() / (1024 * 1024));
        out.put("state", "running");
        out.put("envdVersion", ENVD_VERSION);
        ObjectNode metadata = out.putObject("metadata");
        if (details != null) {
            details.metadata().forEach(metadata::put);
        }
        return out;
    }

    /** {@code metadata=k1%3Dv1%26k2%3Dv2}: the pairs a listed sandbox's metadata must contain. */
    static Map<String, String> metadataQuery(@Nullable String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isBlank()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw E2bException.badRequest("metadata: expected key=value pairs joined by &, got " + pair);
            }
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static JsonNode object(@Nullable byte[] body) {
        if (body == null || body.length == 0) {
            return Connect.object();
        }
        try {
            JsonNode node = Connect.mapper().readTree(body);
            if (node == null || !node.isObject()) {
                throw E2bException.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw E2bException.badRequest("the body is not JSON: " + e.getMessage());
        }
    }
}
