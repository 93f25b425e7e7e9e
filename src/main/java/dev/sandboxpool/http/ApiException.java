package dev.sandboxpool.http;

import io.micronaut.http.HttpStatus;

/** A request the API refuses, with the status, code and message the caller gets. */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String code;

    public ApiException(HttpStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static ApiException badRequest(String field, String reason) {
        return new ApiException(HttpStatus.BAD_REQUEST, "InvalidRequest", field + ": " + reason);
    }

    public static ApiException poolNotFound(String pool) {
        return new ApiException(HttpStatus.NOT_FOUND, "PoolNotFound", "no pool named " + pool);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }
}
