package dev.sandboxpool.execution;

/**
 * A request the sandbox cannot honour as it is now, found there and not before (a file that would land on a link, a
 * FIFO or a directory the lease made): the caller's to fix, and the sandbox is as the lease left it, not damaged.
 */
public class RequestRejectedException extends RuntimeException {
    private final String field;
    private final String reason;

    public RequestRejectedException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
