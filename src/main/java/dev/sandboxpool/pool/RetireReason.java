package dev.sandboxpool.pool;

/** Why a member is removed; logged, counted, and said in Events and on the status page. */
public enum RetireReason {
    /** Older than spec.maxAge. */
    MAX_AGE,
    /** Idle longer than spec.idleTimeout while the pool is above minSize. */
    IDLE,
    /** The pool has more members than spec.maxSize (it was lowered). */
    OVER_MAX_SIZE,
    /** Failed spec.healthProbe.failureThreshold probes in a row. */
    UNHEALTHY,
    /** Made from an older spec (image, limits, network changed). */
    SPEC_CHANGED,
    /** Not healthy within the start-up deadline. */
    STARTUP_TIMEOUT,
    /** The pool's reuse policy is SingleUse. */
    SINGLE_USE,
    /** Served spec.reuse.maxUses leases. */
    MAX_USES,
    /** An execution left it in an unknown state (timed out at the backend, runner failed). */
    DAMAGED,
    /** Its lease expired while an execution ran in it. */
    LEASE_EXPIRED,
    /** Cleaning after a lease failed, even after retries. */
    CLEANUP_FAILED,
    /** Killed, removed or stopped behind the pool's back. */
    LOST,
    /** Left by an earlier run: never adopted, as it may hold what a lease left running there. */
    ORPHANED,
    /** The pool is shutting down. */
    SHUTDOWN;

    /** In words, for people: "retired pod x: " + this. */
    public String description() {
        return switch (this) {
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
            case LOST -> "lost (killed, evicted or deleted behind the pool's back)";
            case ORPHANED -> "left by an earlier run";
            case SHUTDOWN -> "shutting down";
        };
    }

    /** Whether it says something is wrong (a Warning), as opposed to the pool's normal turnover. */
    public boolean isProblem() {
        return switch (this) {
            case UNHEALTHY, STARTUP_TIMEOUT, DAMAGED, LEASE_EXPIRED, CLEANUP_FAILED, LOST -> true;
            default -> false;
        };
    }
}
