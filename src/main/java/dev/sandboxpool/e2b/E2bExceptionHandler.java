package dev.sandboxpool.e2b;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

@Produces
@Singleton
public class E2bExceptionHandler implements ExceptionHandler<E2bException, HttpResponse<E2bError>> {
    @Override
    public HttpResponse<E2bError> handle(HttpRequest request, E2bException e) {
        return HttpResponse.<E2bError>ok().status(e.status(), "E2B error")
                .body(new E2bError(e.status(), e.getMessage()));
    }
}
