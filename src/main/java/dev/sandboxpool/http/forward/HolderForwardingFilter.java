package dev.sandboxpool.http.forward;

import dev.sandboxpool.http.ApiError;
import dev.sandboxpool.pool.PoolRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import java.util.List;
import java.util.Optional;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Sends a request that works in a lease's sandbox state to the replica that holds the lease. In a cluster, every lease
 * API replica may answer any lease (leases live on the pods), but a lease's background commands and Python contexts
 * live in the runner of the replica that claimed it; another replica would not find them. The holder wrote its
 * address on the pod at the claim ({@code sandboxpool.dev/lease-holder-address}), and {@link
 * dev.sandboxpool.pool.Pool#holderAddress} reads it.
 *
 * <p>It runs after the authentication filters: a request without valid credentials is refused here and never
 * forwarded. The holder checks them again, as for any request. A forwarded request carries {@link #FORWARDED}, and is
 * served where it arrives, never forwarded again (no loops). A client that sets that header itself gains nothing: its
 * request is then served by a replica that may not find the lease's state, and fails as it would without forwarding.
 * Only addresses of the form {@code ip:port} are dialled, and only the holder of a lease the request names.
 */
@Filter({"/v1/leases/**", "/e2b/**"})
@Requires(beans = PoolRegistry.class)
public class HolderForwardingFilter implements HttpServerFilter {
    public static final String FORWARDED = "X-Sandboxpool-Forwarded";
    private static final Logger log = LoggerFactory.getLogger(HolderForwardingFilter.class);

    private final HolderLocator holders;
    private final List<LeaseRoutes> routes;
    private final PeerClient peers;

    public HolderForwardingFilter(HolderLocator holders, List<LeaseRoutes> routes, PeerClient peers) {
        this.holders = holders;
        this.routes = routes;
        this.peers = peers;
    }

    /** After CORS, content-type and authentication checks (orders -100 to 10). */
    @Override
    public int getOrder() {
        return 50;
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        if (request.getHeaders().contains(FORWARDED)) {
            return chain.proceed(request);
        }
        Optional<String> holder = holderOf(request);
        if (holder.isEmpty()) {
            return chain.proceed(request);
        }
        String address = holder.get();
        log.debug("forwarding {} {} to the lease's holder {}", request.getMethod(), request.getPath(), address);
        return Flux.from(peers.forward(request, address, FORWARDED))
                .onErrorResume(HttpClientException.class, e -> Flux.just(holderUnreachable(address, e)));
    }

    private Optional<String> holderOf(HttpRequest<?> request) {
        for (LeaseRoutes r : routes) {
            Optional<String> lease = r.leaseOf(request);
            if (lease.isPresent()) {
                return holders.holderOf(lease.get());
            }
        }
        return Optional.empty();
    }

    /**
     * The holder did not answer: it crashed or is shutting down, and the lease's commands and contexts went with it
     * (the lease itself stays on its pod until it expires or is released).
     */
    private static MutableHttpResponse<?> holderUnreachable(String address, Exception e) {
        log.warn("the replica holding a lease ({}) did not answer a forwarded request: {}", address, e.getMessage());
        return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(new ApiError("HolderUnavailable", "the lease API replica that holds this lease (" + address
                        + ") did not answer; the lease's commands and contexts are held there"));
    }
}
