package dev.sandboxpool.pool;

/** What becomes of a member when its lease ends: recycled (reason null) or destroyed for a reason. */
public record ReleaseDecision(RetireReason destroyBecause) {
    public static final ReleaseDecision RECYCLE = new ReleaseDecision(null);

    public boolean recycle() {
        return destroyBecause == null;
    }
}
