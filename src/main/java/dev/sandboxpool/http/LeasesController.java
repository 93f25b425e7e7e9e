package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.Futures;
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
import jakarta.inject.Named;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Leases: one sandbox for several executions, for the caller alone, until released or expired. A lease id names its
 * pool ({@link dev.sandboxpool.pool.LeaseIds}), so callers keep only the id and a call asks only that pool.
 *
 * <p>Threads: a local pool answers lease calls from memory in microseconds, so they run on the event loop (a hop to
 * the blocking executor and back would cost more than the call); a caller waiting for a member holds no thread there
 * ({@link Pool#acquireAsync}). Executions, and every call on a pool whose lease calls block (cluster mode), run on the
 * blocking executor.
 */
@Controller
@Requires(beans = PoolRegistry.class)
public class LeasesController {
    private final PoolRegistry pools;
    private final ApiConfig config;
    private final JsonBodies json;
    private final ExecutorService blocking;

    public LeasesController(PoolRegistry pools, ApiConfig config, JsonBodies json,
            @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.pools = pools;
        this.config = config;
        this.json = json;
        this.blocking = blocking;
    }

    @Post("/v1/pools/{pool}/leases")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public CompletableFuture<HttpResponse<LeaseView>> acquire(String pool, @Nullable @Body String body) {
        Pool p = pools.find(pool).orElseThrow(() -> ApiException.poolNotFound(pool));
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        LeaseTerms terms = LeaseTerms.of(request, p.settings());
        return Futures.map(p.acquireAsync(terms.maxWait(), terms.ttl(), blocking), lease -> created(lease, terms));
    }

    private static HttpResponse<LeaseView> created(Lease lease, LeaseTerms terms) {
        return HttpResponse.<LeaseView>status(HttpStatus.CREATED).body(LeaseView.of(lease, terms.notices()));
    }

    @Get("/v1/leases/{id}")
    public CompletableFuture<LeaseView> get(String id) {
        return call(id, p -> LeaseView.of(p.lease(id).orElseThrow(() -> new LeaseNotActiveException(id)), List.of()));
    }

    @Post("/v1/leases/{id}/renew")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public CompletableFuture<LeaseView> renew(String id, @Nullable @Body String body) {
        LeaseBody request = body == null || body.isBlank() ? null : json.read(body, LeaseBody.class);
        if (request != null && request.waitSeconds() != null) {
            throw ApiException.badRequest("waitSeconds", "applies to acquiring a lease, not to renewing one");
        }
        return call(id, p -> {
            LeaseTerms terms = LeaseTerms.of(request, p.settings());
            return LeaseView.of(p.renew(id, terms.ttl()), terms.notices());
        });
    }

    @Delete("/v1/leases/{id}")
    public CompletableFuture<HttpResponse<Void>> release(String id) {
        return call(id, p -> {
            p.release(id);
            return HttpResponse.noContent();
        });
    }

    @Post("/v1/leases/{id}/executions")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    @ExecuteOn(TaskExecutors.BLOCKING)
    public ExecutionResponse execute(String id, @Nullable @Body String body) {
        Pool p = poolOf(id);
        Lease lease = p.lease(id).orElseThrow(() -> new LeaseNotActiveException(id));
        ExecutionRequest request = ExecutionRequests.from(json.read(body, ExecutionBody.class), p.settings(), config);
        ExecutionResult result = p.execute(id, request);
        return ExecutionResponse.of(result, 0, lease.sandbox());
    }

    /** Runs a lease call here when the lease's pool never blocks on it, else on the blocking executor. */
    private <T> CompletableFuture<T> call(String leaseId, Function<Pool, T> action) {
        boolean blocks = pools.poolOfLease(leaseId).map(Pool::leaseCallsBlock).orElse(false);
        if (blocks) {
            return onBlocking(() -> action.apply(poolOf(leaseId)));
        }
        try {
            return CompletableFuture.completedFuture(action.apply(poolOf(leaseId)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> onBlocking(Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * The pool the lease id names, while it holds the lease: 404 when the id names no pool or the pool does not know
     * the lease, 410 when the pool knows it ended.
     */
    private Pool poolOf(String leaseId) {
        Pool p = pools.poolOfLease(leaseId).orElseThrow(() -> new LeaseNotActiveException(leaseId));
        if (p.lease(leaseId).isPresent()) {
            return p;
        }
        Optional<String> why = p.whyEnded(leaseId);
        if (why.isPresent()) {
            throw new LeaseExpiredException(leaseId, why.get());
        }
        throw new LeaseNotActiveException(leaseId);
    }
}
