package dev.sandboxpool.e2b;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A failed unary Connect call (or envd HTTP call): the code's HTTP status and Connect's error JSON. */
@Singleton
public class RpcExceptionHandler implements ExceptionHandler<Connect.RpcException, HttpResponse<byte[]>> {
    @Override
    public HttpResponse<byte[]> handle(HttpRequest request, Connect.RpcException e) {
        return HttpResponse.<byte[]>ok().status(e.code().httpStatus(), e.code().wire())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Connect.errorJson(e.code(), e.getMessage()));
    }
}
