package dev.sandboxpool.http;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.yml}: the API description. OpenApiDocumentIT keeps it in step with the routes, SchemathesisIT
 * with what the server answers, OpenApiDocumentTest with the responses of the HTTP edge that schemathesis cannot reach.
 */
@Controller("/openapi.yml")
public class OpenApiController {
    private final String document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getResourceAsStream("/openapi.yml")) {
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get
    @Produces("application/yaml")
    public String document() {
        return document;
    }
}
