package dev.sandboxpool.e2b;

import dev.sandboxpool.pool.LeaseBusyException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.pool.PoolStoppedException;
import dev.sandboxpool.pool.PoolUnavailableException;
import dev.sandboxpool.sandbox.SandboxOpException;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The sandbox a sandbox-plane call is for ({@code E2b-Sandbox-Id}, its token already checked by {@link
 * E2bAuthFilter}), and engine failures as Connect errors. Paths: E2B's home dir {@code /home/user} is the sandbox's
 * work dir {@code /workspace}, both ways.
 */
@Singleton
public class SandboxPlane {
    static final String E2B_HOME = "/home/user";
    static final String WORK_DIR = "/workspace";

    private final PoolRegistry pools;
    private final E2bSandboxes sandboxes;

    public SandboxPlane(PoolRegistry pools, E2bSandboxes sandboxes) {
        this.pools = pools;
        this.sandboxes = sandboxes;
    }

    public String sandboxId(HttpRequest<?> request) {
        String id = request.getHeaders().get(E2bAuthFilter.SANDBOX_ID);
        if (id == null) {
            throw new Connect.RpcException(Connect.Code.UNAUTHENTICATED, "no E2b-Sandbox-Id");
        }
        return id;
    }

    public Pool pool(String sandboxId) {
        return pools.poolOfLease(sandboxId).orElseThrow(() -> notFound(sandboxId));
    }

    public SandboxOps ops(String sandboxId) {
        try {
            return pool(sandboxId).sandbox(sandboxId);
        } catch (RuntimeException e) {
            throw rpc(e, sandboxId);
        }
    }

    /** A call of the sandbox's operations, its failures as Connect errors (the RPC services). */
    public <T> T rpc(String sandboxId, Function<SandboxOps, T> call) {
        try {
            return call.apply(ops(sandboxId));
        } catch (RuntimeException e) {
            throw rpc(e, sandboxId);
        }
    }

    /** A call of the sandbox's operations, its failures as envd's HTTP errors (files, the code interpreter). */
    public <T> T http(String sandboxId, Function<SandboxOps, T> call) {
        try {
            return call.apply(ops(sandboxId));
        } catch (RuntimeException e) {
            RuntimeException r = rpc(e, sandboxId);
            if (r instanceof Connect.RpcException x) {
                throw new E2bException(x.code().httpStatus(), x.getMessage());
            }
            throw r;
        }
    }

    public E2bSandboxes sandboxes() {
        return sandboxes;
    }

    static Connect.RpcException notFound(String sandboxId) {
        return new Connect.RpcException(Connect.Code.NOT_FOUND, "sandbox " + sandboxId + " not found");
    }

    /** An engine failure as the Connect error an envd would answer. */
    static RuntimeException rpc(Throwable t, String sandboxId) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof Connect.RpcException r) {
            return r;
        }
        if (e instanceof LeaseNotActiveException) {
            return new Connect.RpcException(Connect.Code.NOT_FOUND, "sandbox " + sandboxId + " not found: "
                    + e.getMessage());
        }
        if (e instanceof SandboxOpException s) {
            Connect.Code code = switch (s.kind()) {
                case NOT_FOUND -> Connect.Code.NOT_FOUND;
                case ALREADY_EXISTS -> Connect.Code.ALREADY_EXISTS;
                case INVALID -> Connect.Code.INVALID_ARGUMENT;
                case TOO_LARGE -> Connect.Code.RESOURCE_EXHAUSTED;
                case SANDBOX_FAILED -> Connect.Code.INTERNAL;
                case UNSUPPORTED -> Connect.Code.UNIMPLEMENTED;
            };
            return new Connect.RpcException(code, s.getMessage());
        }
        if (e instanceof LeaseBusyException) {
            return new Connect.RpcException(Connect.Code.ABORTED, e.getMessage());
        }
        if (e instanceof PoolStoppedException || e instanceof PoolUnavailableException) {
            return new Connect.RpcException(Connect.Code.UNAVAILABLE, e.getMessage());
        }
        return e instanceof RuntimeException r ? r : new CompletionException(e);
    }

    /** An E2B path as the sandbox names it. */
    static String toSandbox(String path) {
        if (path == null || path.isEmpty() || path.equals("~")) {
            return WORK_DIR;
        }
        if (path.equals(E2B_HOME) || path.startsWith(E2B_HOME + "/")) {
            return WORK_DIR + path.substring(E2B_HOME.length());
        }
        if (path.startsWith("~/")) {
            return WORK_DIR + path.substring(1);
        }
        return path;
    }

    /** A sandbox path as E2B names it. */
    static String toE2b(String path) {
        if (path.equals(WORK_DIR) || path.startsWith(WORK_DIR + "/")) {
            return E2B_HOME + path.substring(WORK_DIR.length());
        }
        return path;
    }
}
