package dev.sandboxpool.http.forward;

import io.micronaut.http.HttpRequest;
import java.util.Optional;

/**
 * Which requests work in a lease's sandbox state (its files, commands and contexts, and what a protocol keeps beside
 * them), and for which lease. Each API surface names its own; {@link HolderForwardingFilter} sends those requests to
 * the replica that holds the lease, where that state lives.
 */
public interface LeaseRoutes {
    /** The lease the request works in, when it is one of these routes. */
    Optional<String> leaseOf(HttpRequest<?> request);
}
