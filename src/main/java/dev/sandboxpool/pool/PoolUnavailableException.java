package dev.sandboxpool.pool;

/**
 * The pool's backend does not answer (the Docker daemon is away): no member can be handed out or used until it does,
 * so callers are told at once instead of waiting out their acquire timeout.
 */
public class PoolUnavailableException extends RuntimeException {
    public PoolUnavailableException(String pool, String problem) {
        super("pool " + pool + " cannot serve: its backend does not answer (" + problem + ")");
    }
}
