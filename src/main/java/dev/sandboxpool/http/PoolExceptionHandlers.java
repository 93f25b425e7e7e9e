package dev.sandboxpool.http;

import dev.sandboxpool.execution.RequestRejectedException;
import dev.sandboxpool.pool.LeaseBusyException;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.NoSandboxAvailableException;
import dev.sandboxpool.pool.PoolStoppedException;
import dev.sandboxpool.pool.PoolUnavailableException;
import dev.sandboxpool.pool.TooManyWaitingException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Engine exceptions as API errors: the engine knows nothing of HTTP, so the mapping lives here, once. */
final class PoolExceptionHandlers {
    private PoolExceptionHandlers() {
    }

    @Produces
    @Singleton
    static class NoSandbox implements ExceptionHandler<NoSandboxAvailableException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, NoSandboxAvailableException e) {
            return HttpResponse.<ApiError>status(HttpStatus.TOO_MANY_REQUESTS)
                    .header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                    .body(new ApiError("NoSandboxAvailable", e.getMessage()));
        }
    }

    @Produces
    @Singleton
    static class TooManyWaiting implements ExceptionHandler<TooManyWaitingException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, TooManyWaitingException e) {
            return HttpResponse.<ApiError>status(HttpStatus.TOO_MANY_REQUESTS)
                    .header("Retry-After", "1")
                    .body(new ApiError("TooManyWaiting", e.getMessage()));
        }
    }

    @Produces
    @Singleton
    static class Stopped implements ExceptionHandler<PoolStoppedException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, PoolStoppedException e) {
            return HttpResponse.<ApiError>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(new ApiError("PoolStopping", e.getMessage()));
        }
    }

    @Produces
    @Singleton
    static class Unavailable implements ExceptionHandler<PoolUnavailableException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, PoolUnavailableException e) {
            return HttpResponse.<ApiError>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header("Retry-After", "2")
                    .body(new ApiError("BackendUnavailable", e.getMessage()));
        }
    }

    /** Unknown or released: 404. Ended without a release (expired, sandbox lost): 410, saying why. */
    @Produces
    @Singleton
    static class LeaseGone implements ExceptionHandler<LeaseNotActiveException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseNotActiveException e) {
            if (e instanceof LeaseExpiredException) {
                return HttpResponse.<ApiError>status(HttpStatus.GONE).body(new ApiError("LeaseExpired", e.getMessage()));
            }
            return HttpResponse.<ApiError>status(HttpStatus.NOT_FOUND).body(new ApiError("LeaseNotFound", e.getMessage()));
        }
    }

    @Produces
    @Singleton
    static class Busy implements ExceptionHandler<LeaseBusyException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseBusyException e) {
            return HttpResponse.<ApiError>status(HttpStatus.CONFLICT).body(new ApiError("LeaseBusy", e.getMessage()));
        }
    }

    /** Found in the sandbox rather than before (a file path the lease made a link or a directory): still a 400. */
    @Produces
    @Singleton
    static class Rejected implements ExceptionHandler<RequestRejectedException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, RequestRejectedException e) {
            return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST)
                    .body(new ApiError("InvalidRequest", e.getMessage()));
        }
    }
}
