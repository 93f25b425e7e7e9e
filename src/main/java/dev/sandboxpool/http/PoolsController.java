package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.pool.Futures;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
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
    private final ExecutorService blocking;

    public PoolsController(PoolRegistry pools, ApiConfig config, JsonBodies json,
            @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.pools = pools;
        this.config = config;
        this.json = json;
        this.blocking = blocking;
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
    public CompletableFuture<ExecutionResponse> execute(String pool, @Nullable @Body String body) {
        Pool p = find(pool);
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        return Futures.map(p.runOnceAsync(request, p.settings().acquireTimeout(), blocking),
                run -> ExecutionResponse.of(run.result(), run.lease().waitedMs(), run.lease().sandbox()));
    }

    private Pool find(String name) {
        return pools.find(name).orElseThrow(() -> ApiException.poolNotFound(name));
    }
}
