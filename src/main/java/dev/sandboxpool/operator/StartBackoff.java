package dev.sandboxpool.operator;

import java.time.Duration;
import java.time.Instant;

/**
 * Consecutive failed member starts of one pool and the back-off they impose on creation, so a broken image or an
 * exhausted quota never makes the operator create pods in a loop. Kept in memory: a restarted operator starts
 * afresh, and the next failures rebuild it.
 */
final class StartBackoff {
    static final Duration INITIAL = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(5);

    private int failures;
    private String lastError;
    private Instant notBefore;

    synchronized void failed(String reason, Instant now) {
        failures++;
        lastError = reason;
        Duration delay = INITIAL.multipliedBy(1L << Math.min(failures - 1, 20));
        notBefore = now.plus(delay.compareTo(MAX) > 0 ? MAX : delay);
    }

    synchronized void succeeded() {
        failures = 0;
        lastError = null;
        notBefore = null;
    }

    synchronized int failures() {
        return failures;
    }

    synchronized String lastError() {
        return lastError;
    }

    /** Creation waits until then after failures; null when it need not. */
    synchronized Instant notBefore() {
        return notBefore;
    }
}
