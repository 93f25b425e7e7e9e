package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.web.router.Router;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The served API description lists exactly the routes the application has, with their methods. */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
class OpenApiDocumentIT {
    @Inject
    EmbeddedServer server;

    @Inject
    Router router;

    @Test
    void documentedOperationsAreExactlyTheRoutes() throws Exception {
        DockerTestSupport.docker();
        String served = new ApiClient(server.getURI()).get("/openapi.yml").raw().body();
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(served);
        Set<String> documented = new HashSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method ->
                documented.add(method.toUpperCase() + " " + path.getKey())));

        // Micronaut answers HEAD for every GET by itself; those are not operations of their own
        Set<String> routed = router.uriRoutes()
                .filter(r -> !"HEAD".equals(r.getHttpMethodName()))
                .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate().toPathString())
                .filter(r -> r.contains(" /v1/") || r.endsWith(" /metrics") || r.endsWith(" /openapi.yml")
                        || r.endsWith(" /health"))
                .collect(Collectors.toSet());

        assertThat(documented).containsExactlyInAnyOrderElementsOf(routed);
    }
}
