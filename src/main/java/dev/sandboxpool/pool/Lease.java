package dev.sandboxpool.pool;

import java.time.Instant;

/**
 * Exclusive use of one sandbox until released or until {@code expiresAt} passes without a renewal.
 *
 * @param sandbox the sandbox's name (container or pod)
 * @param waitedMs how long the caller waited for a member
 * @param warm a ready member was waiting; false when the caller waited for one to start or be cleaned
 */
public record Lease(String id, String pool, String sandbox, Instant acquiredAt, Instant expiresAt, long waitedMs,
        boolean warm) {

    public Lease withExpiresAt(Instant newExpiresAt) {
        return new Lease(id, pool, sandbox, acquiredAt, newExpiresAt, waitedMs, warm);
    }
}
