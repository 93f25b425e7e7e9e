package dev.sandboxpool.pool;

/** The lease is unknown or was released already. */
public class LeaseNotActiveException extends RuntimeException {
    private final String leaseId;

    public LeaseNotActiveException(String leaseId) {
        this(leaseId, "no active lease " + leaseId);
    }

    protected LeaseNotActiveException(String leaseId, String message) {
        super(message);
        this.leaseId = leaseId;
    }

    public String leaseId() {
        return leaseId;
    }
}
