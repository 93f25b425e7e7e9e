package dev.sandboxpool.api.v1alpha1;

/** What happens to a member when its lease ends. */
public enum ReusePolicy {
    /** Cleaned (files, processes) and returned to the pool, up to {@code reuse.maxUses} leases. */
    Recycle,
    /** Destroyed and replaced by a fresh member. */
    SingleUse
}
