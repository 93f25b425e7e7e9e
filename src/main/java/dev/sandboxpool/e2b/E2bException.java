package dev.sandboxpool.e2b;

import dev.sandboxpool.pool.LeaseBusyException;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.NoSandboxAvailableException;
import dev.sandboxpool.pool.PoolStoppedException;
import dev.sandboxpool.pool.PoolUnavailableException;
import dev.sandboxpool.pool.TooManyWaitingException;
import java.util.concurrent.CompletionException;

/**
 * An E2B control-plane error: the HTTP status and {@code {"code": <status>, "message": "..."}}, the shape E2B's API
 * answers with and its SDKs turn into their exceptions (404 into {@code NotFoundException}, 401 into
 * {@code AuthenticationException}, 429 into {@code RateLimitException}).
 */
public class E2bException extends RuntimeException {
    private final int status;

    public E2bException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static E2bException notFound(String sandboxId) {
        return new E2bException(404, "sandbox " + sandboxId + " not found");
    }

    public static E2bException unsupported(String what) {
        return new E2bException(501, what + " is not supported by sandbox-pool (see docs/e2b.md)");
    }

    public static E2bException badRequest(String message) {
        return new E2bException(400, message);
    }

    /** An engine failure as the E2B API would report it; anything unknown is rethrown. */
    public static RuntimeException of(Throwable t, String sandboxId) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof E2bException x) {
            return x;
        }
        if (e instanceof LeaseExpiredException x) {
            return new E2bException(404, "sandbox " + sandboxId + " not found: " + x.getMessage());
        }
        if (e instanceof LeaseNotActiveException) {
            return notFound(sandboxId);
        }
        if (e instanceof NoSandboxAvailableException || e instanceof TooManyWaitingException) {
            return new E2bException(429, e.getMessage());
        }
        if (e instanceof PoolStoppedException || e instanceof PoolUnavailableException) {
            return new E2bException(503, e.getMessage());
        }
        if (e instanceof LeaseBusyException) {
            return new E2bException(409, e.getMessage());
        }
        return e instanceof RuntimeException r ? r : new CompletionException(e);
    }
}
