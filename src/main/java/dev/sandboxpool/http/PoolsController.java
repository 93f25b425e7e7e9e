package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
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
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Comparator;
import java.util.List;

/** Pools and one-shot executions. Calls block on the pool (waiting for a member, running code): off the event loop. */
@Controller("/v1/pools")
@Requires(beans = PoolRegistry.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class PoolsController {
    private final PoolRegistry pools;
    private final ApiConfig config;
    private final JsonBodies json;

    public PoolsController(PoolRegistry pools, ApiConfig config, JsonBodies json) {
        this.pools = pools;
        this.config = config;
        this.json = json;
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
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public ExecutionResponse execute(String pool, @Nullable @Body String body) {
        Pool p = find(pool);
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        Pool.Execution run = p.runOnce(request, p.settings().acquireTimeout());
        return ExecutionResponse.of(run.result(), run.lease().waitedMs(), run.lease().sandbox());
    }

    private Pool find(String name) {
        return pools.find(name).orElseThrow(() -> ApiException.poolNotFound(name));
    }
}
