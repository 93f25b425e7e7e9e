package dev.sandboxpool.pool;

/** The lease ended without a release: its time to live passed, or its sandbox was lost. */
public class LeaseExpiredException extends LeaseNotActiveException {
    public LeaseExpiredException(String leaseId, String why) {
        super(leaseId, "lease " + leaseId + " has ended: " + why);
    }
}
