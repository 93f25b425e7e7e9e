package dev.sandboxpool.pool;

/** The pool is shutting down (or was removed) and hands out nothing more. */
public class PoolStoppedException extends RuntimeException {
    public PoolStoppedException(String pool) {
        super("pool " + pool + " is stopping");
    }
}
