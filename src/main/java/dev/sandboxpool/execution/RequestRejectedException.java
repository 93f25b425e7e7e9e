package dev.sandboxpool.execution;

/**
 * A request the sandbox cannot honour as it is now, found there and not before (a file that would land on a link, a
 * FIFO or a directory the lease made): the caller's to fix, and the sandbox is as the lease left it, not damaged.
 */
public class RequestRejectedException extends RuntimeException {
    /** The message starts with the field, as every 400 of the API does. */
    public RequestRejectedException(String field, String reason) {
        super(field + ": " + reason);
    }
}
