package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.http.ApiError;
import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.pool.LeaseBusyException;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.sandbox.SandboxOpException;
import io.micronaut.http.HttpStatus;

/**
 * Sandbox operation failures as API errors. Mapped where the /v1 routes call, not by a global exception handler:
 * the E2B routes map the same exception to their own errors.
 */
final class SandboxErrors {
    private SandboxErrors() {
    }

    static ApiException toApi(SandboxOpException e) {
        String message = e.field() + ": " + e.getMessage();
        return switch (e.kind()) {
            case NOT_FOUND -> new ApiException(HttpStatus.NOT_FOUND, notFoundCode(e.field()), message);
            case ALREADY_EXISTS -> new ApiException(HttpStatus.CONFLICT, "AlreadyExists", message);
            case INVALID -> new ApiException(HttpStatus.BAD_REQUEST, "InvalidRequest", message);
            // the only TOO_LARGE of an upload is the engine's own transfer bound; a download's is about the file
            case TOO_LARGE -> e.field().equals("content")
                    ? new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge", message)
                    : new ApiException(HttpStatus.BAD_REQUEST, "InvalidRequest", message);
            case SANDBOX_FAILED -> new ApiException(HttpStatus.BAD_GATEWAY, "SandboxFailed", message);
            case UNSUPPORTED -> new ApiException(HttpStatus.NOT_IMPLEMENTED, "Unsupported", message);
        };
    }

    private static String notFoundCode(String field) {
        return switch (field) {
            case "path", "cwd" -> "FileNotFound";
            case "pid" -> "CommandNotFound";
            case "contextId" -> "ContextNotFound";
            default -> "NotFound";
        };
    }

    /**
     * The error of a stream that had begun (its 200 sent): the last line says what the status would have said.
     */
    static ApiError ofStream(RuntimeException e) {
        if (e instanceof SandboxOpException s) {
            ApiException api = toApi(s);
            return new ApiError(api.code(), api.getMessage());
        }
        if (e instanceof ApiException api) {
            return new ApiError(api.code(), api.getMessage());
        }
        if (e instanceof LeaseExpiredException) {
            return new ApiError("LeaseExpired", e.getMessage());
        }
        if (e instanceof LeaseNotActiveException) {
            return new ApiError("LeaseNotFound", e.getMessage());
        }
        if (e instanceof LeaseBusyException) {
            return new ApiError("LeaseBusy", e.getMessage());
        }
        return new ApiError("InternalError", String.valueOf(e.getMessage()));
    }
}
