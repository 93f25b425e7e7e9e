package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.http.sandbox.NdjsonStream;
import dev.sandboxpool.pool.Futures;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Pools and one-shot executions. Reading a pool is a look at memory and stays on the event loop, so it never waits
 * behind executions; a one-shot waits for its member without a thread ({@link Pool#runOnceAsync}) and runs its code
 * on the blocking executor.
 */
@Controller("/v1/pools")
@Requires(beans = PoolRegistry.class)
public class PoolsController {
    private final PoolRegistry pools;
    private final ApiConfig config;
    private final JsonBodies json;
    /** A streamed one-shot's lease outlives its time limit by this much (then it expires, should the release fail). */
    private static final Duration STREAMED_TTL_MARGIN = Duration.ofSeconds(30);

    private final ExecutorService blocking;
    private final NdjsonStream streams;

    public PoolsController(PoolRegistry pools, ApiConfig config, JsonBodies json,
            @Named(TaskExecutors.BLOCKING) ExecutorService blocking, NdjsonStream streams) {
        this.pools = pools;
        this.config = config;
        this.json = json;
        this.blocking = blocking;
        this.streams = streams;
    }

    @Get
    public List<PoolView> list() {
        return pools.all().stream()
                .map(p -> PoolView.of(p.stats(), false))
                .sorted(Comparator.comparing(PoolView::name))
                .toList();
    }

    @Get("/{pool}")
    public PoolView get(String pool) {
        return PoolView.of(find(pool).stats(), true);
    }

    @Post("/{pool}/executions")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    @Produces({MediaType.APPLICATION_JSON, NdjsonStream.TYPE})
    public CompletableFuture<HttpResponse<?>> execute(HttpRequest<?> http, String pool, @Nullable @Body String body) {
        Pool p = find(pool);
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        if (NdjsonStream.wanted(http)) {
            return streamed(p, request);
        }
        return Futures.map(p.runOnceAsync(request, p.settings().acquireTimeout(), blocking),
                run -> HttpResponse.ok(ExecutionResponse.of(run.result(), run.lease().waitedMs(),
                        run.lease().sandbox())));
    }

    /**
     * A one-shot whose output streams: a lease for it (waited for without a thread, so a pool without a member is a
     * 429 before the 200), its execution streamed and stopped on a hang-up, then the release. Two round trips to the
     * runner instead of the plain one-shot's one (which cleans up in the same request), the price of streaming. A
     * client gone before the stream starts leaves the lease to its expiry: its time limit and a margin.
     */
    private CompletableFuture<HttpResponse<?>> streamed(Pool p, ExecutionRequest request) {
        return Futures.map(p.acquireAsync(p.settings().acquireTimeout(), request.timeout().plus(STREAMED_TTL_MARGIN)),
                lease -> streams.of((output, cancellation) -> {
                    try {
                        return ExecutionResponse.of(p.execute(lease.id(), request, output, cancellation),
                                lease.waitedMs(), lease.sandbox());
                    } finally {
                        p.release(lease.id());
                    }
                }));
    }

    private Pool find(String name) {
        return pools.find(name).orElseThrow(() -> ApiException.poolNotFound(name));
    }
}
