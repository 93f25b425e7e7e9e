package dev.sandboxpool.pool;

/** The lease was released already, or its member is gone. */
public class LeaseNotActiveException extends RuntimeException {
    public LeaseNotActiveException(String leaseId) {
        super("lease " + leaseId + " is not active");
    }
}
