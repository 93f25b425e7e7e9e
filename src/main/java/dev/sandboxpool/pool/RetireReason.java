package dev.sandboxpool.pool;

/** Why a member is removed; logged and counted. */
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
    SHUTDOWN
}
