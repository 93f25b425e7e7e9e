package dev.sandboxpool.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.pool.Lease;
import io.micronaut.core.annotation.Introspected;
import java.time.Instant;
import java.util.List;

/** A lease as the API returns it; {@code notices} says which requested values were capped to the pool's maxima. */
@Introspected
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LeaseView(String id, String pool, String sandbox, Instant acquiredAt, Instant expiresAt, long waitedMs,
        boolean warm, List<String> notices) {

    static LeaseView of(Lease l, List<String> notices) {
        return new LeaseView(l.id(), l.pool(), l.sandbox(), l.acquiredAt(), l.expiresAt(), l.waitedMs(), l.warm(),
                notices);
    }
}
