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

    /** The API's error body with the exception's message; {@code retryAfter} in seconds, or null for none. */
    private static HttpResponse<ApiError> error(HttpStatus status, String code, Exception e, String retryAfter) {
        var response = HttpResponse.<ApiError>status(status);
        if (retryAfter != null) {
            response.header("Retry-After", retryAfter);
        }
        return response.body(new ApiError(code, e.getMessage()));
    }

    @Produces
    @Singleton
    static class NoSandbox implements ExceptionHandler<NoSandboxAvailableException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, NoSandboxAvailableException e) {
            return error(HttpStatus.TOO_MANY_REQUESTS, "NoSandboxAvailable", e,
                    Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
    }

    @Produces
    @Singleton
    static class TooManyWaiting implements ExceptionHandler<TooManyWaitingException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, TooManyWaitingException e) {
            return error(HttpStatus.TOO_MANY_REQUESTS, "TooManyWaiting", e, "1");
        }
    }

    @Produces
    @Singleton
    static class Stopped implements ExceptionHandler<PoolStoppedException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, PoolStoppedException e) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "PoolStopping", e, null);
        }
    }

    @Produces
    @Singleton
    static class Unavailable implements ExceptionHandler<PoolUnavailableException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, PoolUnavailableException e) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "BackendUnavailable", e, "2");
        }
    }

    /** Unknown or released: 404. Ended without a release (expired, sandbox lost): 410, saying why. */
    @Produces
    @Singleton
    static class LeaseGone implements ExceptionHandler<LeaseNotActiveException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseNotActiveException e) {
            if (e instanceof LeaseExpiredException) {
                return error(HttpStatus.GONE, "LeaseExpired", e, null);
            }
            return error(HttpStatus.NOT_FOUND, "LeaseNotFound", e, null);
        }
    }

    @Produces
    @Singleton
    static class Busy implements ExceptionHandler<LeaseBusyException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseBusyException e) {
            return error(HttpStatus.CONFLICT, "LeaseBusy", e, null);
        }
    }

    /** Found in the sandbox rather than before (a file path the lease made a link or a directory): still a 400. */
    @Produces
    @Singleton
    static class Rejected implements ExceptionHandler<RequestRejectedException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, RequestRejectedException e) {
            return error(HttpStatus.BAD_REQUEST, "InvalidRequest", e, null);
        }
    }
}
