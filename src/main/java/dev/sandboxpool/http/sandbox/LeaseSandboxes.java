package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.sandbox.FileEntry;
import dev.sandboxpool.sandbox.SandboxOps;
import dev.sandboxpool.sandbox.SandboxOpException;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.function.Function;

/**
 * The sandbox of a lease, as the /v1 routes under {@code /v1/leases/{id}/} reach it: the pool the id names, then
 * that pool's fenced {@link SandboxOps}. An id that names no pool, or a lease the pool does not hold, is the usual
 * 404/410 of the lease API; a sandbox operation's failure is an API error naming the field ({@link SandboxErrors}).
 */
@Singleton
@Requires(beans = PoolRegistry.class)
public class LeaseSandboxes {
    private final PoolRegistry pools;

    public LeaseSandboxes(PoolRegistry pools) {
        this.pools = pools;
    }

    public Pool pool(String leaseId) {
        return pools.poolOfLease(leaseId).orElseThrow(() -> new LeaseNotActiveException(leaseId));
    }

    /** The lease's operations; checks the lease is active (a 404 or 410 before anything else is looked at). */
    public SandboxOps ops(String leaseId) {
        return pool(leaseId).sandbox(leaseId);
    }

    /**
     * A cwd must be a directory that exists: the runner answers a context that cannot start in it with a bare
     * INVALID, and a command's child fails with a traceback of the runner's own code. Asked first, a missing one is
     * a 404 and a file a 400, each naming the field.
     */
    public void requireDirectory(SandboxOps ops, String field, String path) {
        FileEntry entry;
        try {
            entry = ops.stat(path);
        } catch (SandboxOpException e) {
            throw SandboxErrors.toApi(new SandboxOpException(e.kind(), field, e.getMessage()));
        }
        if (entry.type() != FileEntry.Type.DIRECTORY) {
            throw ApiException.badRequest(field, "is not a directory in the sandbox");
        }
    }

    /**
     * One call on the lease's sandbox, its {@link SandboxOpException} as the {@link ApiException} the caller gets.
     */
    public <T> T call(SandboxOps ops, Function<SandboxOps, T> call) {
        try {
            return call.apply(ops);
        } catch (SandboxOpException e) {
            throw SandboxErrors.toApi(e);
        }
    }
}
