package dev.sandboxpool.pool;

import dev.sandboxpool.backend.Owner;
import dev.sandboxpool.backend.SandboxRef;

/** Which members found at a pool's start were left by an instance that is gone, and so are removed. */
final class Leftovers {
    private Leftovers() {
    }

    /**
     * A member whose owner is gone (or that names none: versions before owners, or a backend that keeps none), or
     * one that no longer runs, whoever owns it: no live instance can be using a stopped container. A running member
     * of a live instance, or of one on another host, is not ours to remove.
     */
    static boolean removable(SandboxRef ref) {
        if (ref.owner() == null || !ref.running()) {
            return true;
        }
        return Owner.of(ref.owner()) == Owner.Liveness.GONE;
    }
}
