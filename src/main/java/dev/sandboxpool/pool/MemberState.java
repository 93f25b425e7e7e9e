package dev.sandboxpool.pool;

/** Where a member is in its life. Only {@link #READY} members are handed out. */
public enum MemberState {
    /** Being created, or created and not yet through its first health probe. */
    STARTING,
    /** Warm, probed healthy, idle: can be leased. */
    READY,
    /** Held by one lease. */
    LEASED,
    /** Released and being cleaned before it is ready again. */
    CLEANING,
    /** Being removed. Still counts against maxSize until it is gone. */
    TERMINATING
}
