package dev.sandboxpool.pool;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exclusive use of one member until released. A lease is released once; executions under it see whether the
 * sandbox was damaged, so the release destroys it instead of recycling it.
 */
public final class Lease {
    private final String id;
    private final String pool;
    private final String memberId;
    private final String sandbox;
    private final Instant acquiredAt;
    private final long waitedMs;
    private final boolean warm;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean damaged;

    Lease(String id, String pool, String memberId, String sandbox, Instant acquiredAt, long waitedMs, boolean warm) {
        this.id = id;
        this.pool = pool;
        this.memberId = memberId;
        this.sandbox = sandbox;
        this.acquiredAt = acquiredAt;
        this.waitedMs = waitedMs;
        this.warm = warm;
    }

    public String id() {
        return id;
    }

    public String pool() {
        return pool;
    }

    String memberId() {
        return memberId;
    }

    /** The sandbox's name (container or pod). */
    public String sandbox() {
        return sandbox;
    }

    public Instant acquiredAt() {
        return acquiredAt;
    }

    public long waitedMs() {
        return waitedMs;
    }

    /** True when a ready member was waiting; false when the caller waited for one to start or be cleaned. */
    public boolean warm() {
        return warm;
    }

    public boolean released() {
        return released.get();
    }

    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    void markDamaged() {
        damaged = true;
    }

    boolean damaged() {
        return damaged;
    }
}
