package dev.sandboxpool.operator;

import dev.sandboxpool.pool.RetireReason;

/** Why a member was retired, as an Event says it. */
final class RetireReasons {
    private RetireReasons() {
    }

    static String describe(RetireReason reason) {
        return switch (reason) {
            case MAX_AGE -> "older than maxAge";
            case IDLE -> "idle longer than idleTimeout above minSize";
            case OVER_MAX_SIZE -> "more members than maxSize";
            case UNHEALTHY -> "failed its health probe";
            case SPEC_CHANGED -> "made from an older spec";
            case STARTUP_TIMEOUT -> "not ready within the start-up deadline";
            case SINGLE_USE -> "single use";
            case MAX_USES -> "served reuse.maxUses leases";
            case DAMAGED -> "damaged by user code (its runner failed or an execution outlived its limit)";
            case LEASE_EXPIRED -> "its lease expired while code ran";
            case CLEANUP_FAILED -> "its clean-up failed";
            case LOST -> "lost (killed, evicted or deleted behind the operator's back)";
            case ORPHANED -> "left by an earlier run";
            case SHUTDOWN -> "shutting down";
        };
    }

    /** Retirements that say something is wrong (a Warning), as opposed to the pool's normal turnover. */
    static boolean isProblem(RetireReason reason) {
        return switch (reason) {
            case UNHEALTHY, STARTUP_TIMEOUT, DAMAGED, LEASE_EXPIRED, CLEANUP_FAILED, LOST -> true;
            default -> false;
        };
    }
}
