package dev.sandboxpool.pool;

/**
 * As many callers as the pool's {@code lease.maxWaiting} already wait for a member: one more is refused at once, so
 * a flood of requests at one pool queues neither without bound nor behind itself for the whole acquire timeout.
 */
public class TooManyWaitingException extends RuntimeException {
    public TooManyWaitingException(String pool, int limit) {
        super(limit == 0 ? "no sandbox of pool " + pool + " is ready and the pool lets nobody wait (lease.maxWaiting 0)"
                : "no sandbox of pool " + pool + " is ready and " + limit + " callers already wait, the pool's "
                        + "lease.maxWaiting");
    }
}
