package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
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
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/**
 * Leases: one sandbox for several executions, for the caller alone, until released or expired. Leases are found by
 * id across all pools, so callers keep only the id.
 */
@Controller
@Requires(beans = PoolRegistry.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class LeasesController {
    private final PoolRegistry pools;
    private final ApiConfig config;
    private final JsonBodies json;

    public LeasesController(PoolRegistry pools, ApiConfig config, JsonBodies json) {
        this.pools = pools;
        this.config = config;
        this.json = json;
    }

    @Post("/v1/pools/{pool}/leases")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public HttpResponse<LeaseView> acquire(String pool, @Nullable @Body String body) {
        Pool p = pools.find(pool).orElseThrow(() -> ApiException.poolNotFound(pool));
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        LeaseTerms terms = LeaseTerms.of(request, p.settings());
        Lease lease = p.acquire(terms.maxWait(), terms.ttl());
        return HttpResponse.<LeaseView>status(HttpStatus.CREATED).body(LeaseView.of(lease, terms.notices()));
    }

    @Get("/v1/leases/{id}")
    public LeaseView get(String id) {
        Pool p = poolOf(id);
        return LeaseView.of(p.lease(id).orElseThrow(() -> new LeaseNotActiveException(id)), List.of());
    }

    @Post("/v1/leases/{id}/renew")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public LeaseView renew(String id, @Nullable @Body String body) {
        Pool p = poolOf(id);
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        if (request != null && request.waitSeconds() != null) {
            throw ApiException.badRequest("waitSeconds", "applies to acquiring a lease, not to renewing one");
        }
        LeaseTerms terms = LeaseTerms.of(request, p.settings());
        return LeaseView.of(p.renew(id, terms.ttl()), terms.notices());
    }

    @Delete("/v1/leases/{id}")
    public HttpResponse<Void> release(String id) {
        poolOf(id).release(id);
        return HttpResponse.noContent();
    }

    @Post("/v1/leases/{id}/executions")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public ExecutionResponse execute(String id, @Nullable @Body String body) {
        Pool p = poolOf(id);
        Lease lease = p.lease(id).orElseThrow(() -> new LeaseNotActiveException(id));
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        ExecutionResult result = p.execute(id, request);
        return ExecutionResponse.of(result, 0, lease.sandbox());
    }

    /** The pool holding the lease; a lease no pool knows is 404 (or 410 when a pool knows it ended). */
    private Pool poolOf(String leaseId) {
        for (Pool p : pools.all()) {
            if (p.lease(leaseId).isPresent()) {
                return p;
            }
        }
        for (Pool p : pools.all()) {
            Optional<String> why = p.whyEnded(leaseId);
            if (why.isPresent()) {
                throw new LeaseExpiredException(leaseId, why.get());
            }
        }
        throw new LeaseNotActiveException(leaseId);
    }
}
