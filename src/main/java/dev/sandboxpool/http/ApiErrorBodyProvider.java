package dev.sandboxpool.http;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;

/**
 * Errors Micronaut raises itself (malformed JSON, wrong types, unknown fields, unknown routes, wrong methods) get
 * the same {@code {"error","message"}} body as the API's own.
 */
@Primary
@Singleton
public class ApiErrorBodyProvider implements JsonErrorResponseBodyProvider<ApiError> {
    @Override
    public ApiError body(ErrorContext context, HttpResponse<?> response) {
        String message = context.getErrors().stream()
                .map(e -> e.getPath().map(p -> p + ": ").orElse("") + e.getMessage())
                .collect(Collectors.joining("; "));
        return new ApiError(code(response.getStatus()), message.isEmpty() ? response.reason() : message);
    }

    private static String code(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "InvalidRequest";
            case NOT_FOUND -> "NotFound";
            case METHOD_NOT_ALLOWED -> "MethodNotAllowed";
            case UNSUPPORTED_MEDIA_TYPE -> "UnsupportedMediaType";
            case REQUEST_ENTITY_TOO_LARGE -> "PayloadTooLarge";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            default -> status.getCode() >= 500 ? "InternalError" : "RequestFailed";
        };
    }
}
