package dev.sandboxpool.pool;

/** Another execution of the same lease is running: executions of one lease never interleave. */
public class LeaseBusyException extends RuntimeException {
    public LeaseBusyException(String leaseId) {
        super("lease " + leaseId + " is running another execution; send the next one when it returns");
    }
}
