package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.http.sandbox.NdjsonStream;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.Futures;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
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
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Leases: one sandbox for several executions, for the caller alone, until released or expired. A lease id names its
 * pool ({@link dev.sandboxpool.pool.LeaseIds}), so callers keep only the id and a call asks only that pool.
 *
 * <p>Threads: lease calls are futures of the pool ({@link Pool#acquireAsync}, {@link Pool#renewAsync}, ...), which
 * runs them where they belong (inline on the event loop for leases in memory, on its own threads for leases on pods);
 * a caller waiting for a member holds no thread. Executions run code and take a thread of the blocking executor.
 */
@Controller
@Requires(beans = PoolRegistry.class)
public class LeasesController {
    private final PoolRegistry pools;
    private final ApiConfig config;
    private final JsonBodies json;
    private final NdjsonStream streams;

    public LeasesController(PoolRegistry pools, ApiConfig config, JsonBodies json, NdjsonStream streams) {
        this.pools = pools;
        this.config = config;
        this.json = json;
        this.streams = streams;
    }

    @Post("/v1/pools/{pool}/leases")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public CompletableFuture<HttpResponse<LeaseView>> acquire(String pool, @Nullable @Body String body) {
        Pool p = pools.find(pool).orElseThrow(() -> ApiException.poolNotFound(pool));
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        LeaseTerms terms = LeaseTerms.of(request, p.settings());
        return Futures.map(p.acquireAsync(terms.maxWait(), terms.ttl()), lease -> created(lease, terms));
    }

    private static HttpResponse<LeaseView> created(Lease lease, LeaseTerms terms) {
        return HttpResponse.<LeaseView>status(HttpStatus.CREATED).body(LeaseView.of(lease, terms.notices()));
    }

    @Get("/v1/leases/{id}")
    public CompletableFuture<LeaseView> get(String id) {
        return Futures.map(poolNamedBy(id).activeLeaseAsync(id), lease -> LeaseView.of(lease, List.of()));
    }

    @Post("/v1/leases/{id}/renew")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public CompletableFuture<LeaseView> renew(String id, @Nullable @Body String body) {
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        if (request != null && request.waitSeconds() != null) {
            throw ApiException.badRequest("waitSeconds", "applies to acquiring a lease, not to renewing one");
        }
        Pool p = poolNamedBy(id);
        LeaseTerms terms = LeaseTerms.of(request, p.settings());
        return Futures.map(p.renewAsync(id, terms.ttl()), lease -> LeaseView.of(lease, terms.notices()));
    }

    @Delete("/v1/leases/{id}")
    public CompletableFuture<HttpResponse<Void>> release(String id) {
        return Futures.map(poolNamedBy(id).releaseAsync(id), released -> HttpResponse.noContent());
    }

    @Post("/v1/leases/{id}/executions")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    @Produces({MediaType.APPLICATION_JSON, NdjsonStream.TYPE})
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> execute(HttpRequest<?> http, String id, @Nullable @Body String body) {
        Pool p = poolNamedBy(id);
        Lease lease = p.activeLease(id);
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        if (NdjsonStream.wanted(http)) {
            return streams.of((output, cancellation) -> ExecutionResponse.of(p.execute(id, request, output,
                    cancellation), 0, lease.sandbox()));
        }
        ExecutionResult result = p.execute(id, request);
        return HttpResponse.ok(ExecutionResponse.of(result, 0, lease.sandbox()));
    }

    /** The pool the lease id names: 404 when it names none (whether that pool holds the lease is the pool's to say). */
    private Pool poolNamedBy(String leaseId) {
        return pools.poolOfLease(leaseId).orElseThrow(() -> new LeaseNotActiveException(leaseId));
    }
}
