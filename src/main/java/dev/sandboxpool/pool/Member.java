package dev.sandboxpool.pool;

import dev.sandboxpool.execution.Runner;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** One sandbox of a pool, as the engine tracks it. Mutable, and only touched under the pool's lock. */
final class Member {
    final String id;
    String backendId;
    /** When backendId was set ({@link System#nanoTime()}): a listing started before then cannot show it yet. */
    long knownSinceNanos;
    String name;
    String specHash;
    Instant createdAt;
    MemberState state;
    Instant readySince;
    int uses;
    Instant lastProbeAt;
    Boolean lastProbeOk;
    String lastProbeError;
    int probeFailures;
    boolean busy;
    /** Runs executions and clean-ups; set once the member first proves healthy. */
    Runner runner;
    /**
     * Held for reading by every call of a lease into the runner, for writing by the clean-up after the lease: a call
     * either ends before the clean-up starts, or finds the member no longer leased and never reaches it (not under
     * the pool's lock: taken before it, never while holding it).
     */
    final ReentrantReadWriteLock use = new ReentrantReadWriteLock();

    Member(String id, String specHash, Instant createdAt, MemberState state) {
        this.id = id;
        this.specHash = specHash;
        this.createdAt = createdAt;
        this.state = state;
    }

    MemberSnapshot snapshot() {
        return new MemberSnapshot(id, state, specHash, createdAt, state == MemberState.READY ? readySince : null,
                uses, lastProbeAt, probeFailures, busy);
    }

    String label() {
        return name != null ? name : id;
    }
}
