package dev.sandboxpool.http;

import dev.sandboxpool.spec.Durations;
import dev.sandboxpool.spec.PoolSettings;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The time to live and the wait a lease request gets: the pool's defaults when absent, capped to the pool's maxima
 * with a notice (a caller asking for too much still gets a lease, and learns what it got). A TTL must be at least a
 * millisecond, the API's resolution: a smaller one would be a lease that has expired when it is handed out.
 */
record LeaseTerms(Duration ttl, Duration maxWait, List<String> notices) {

    static LeaseTerms of(LeaseBody body, PoolSettings pool) {
        List<String> notices = new ArrayList<>();
        LeaseBody b = body == null ? new LeaseBody(null, null) : body;
        Duration ttl = capped("ttlSeconds", b.ttlSeconds(), pool.leaseDefaultTtl(), pool.leaseMaxTtl(),
                "lease.maxTtl", false, notices);
        Duration wait = capped("waitSeconds", b.waitSeconds(), pool.acquireTimeout(), pool.acquireTimeout(),
                "lease.acquireTimeout", true, notices);
        return new LeaseTerms(ttl, wait, List.copyOf(notices));
    }

    private static Duration capped(String field, BigDecimal seconds, Duration fallback, Duration max, String maxName,
            boolean zeroAllowed, List<String> notices) {
        if (seconds == null) {
            return fallback;
        }
        if (zeroAllowed && seconds.signum() < 0) {
            throw ApiException.badRequest(field, "must be 0 or more, got " + Seconds.shown(seconds));
        }
        if (!zeroAllowed && seconds.compareTo(Seconds.MILLISECOND) < 0) {
            throw ApiException.badRequest(field, "must be at least 0.001 (a millisecond), got "
                    + Seconds.shown(seconds));
        }
        if (Seconds.isAbove(seconds, max)) {
            notices.add(field + " " + Seconds.shown(seconds) + " was capped to the pool's " + maxName + " ("
                    + Durations.format(max) + ")");
            return max;
        }
        return Seconds.toDuration(seconds, max);
    }
}
