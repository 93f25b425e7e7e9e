package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** With an API token set, E2B's control plane needs it as {@code X-API-Key}, and nothing else counts. */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/e2b-it-pools.yaml")
@Property(name = "sandboxpool.api.token", value = "e2b-s3cret")
class E2bApiKeyIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    EmbeddedServer server;

    private HttpResponse<String> create(String header, String value) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve("/e2b/v2/sandboxes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\":\"python\",\"timeout\":30}"));
        if (header != null) {
            request.header(header, value);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void createNeedsTheApiKey() throws Exception {
        DockerTestSupport.docker();

        HttpResponse<String> none = create(null, null);
        HttpResponse<String> wrong = create("X-API-Key", "e2b-s3creT");
        HttpResponse<String> bearer = create("Authorization", "Bearer e2b-s3cret");
        HttpResponse<String> right = create("X-API-Key", "e2b-s3cret");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(new ObjectMapper().readTree(none.body()).path("code").asInt()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(bearer.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(201);
        String id = new ObjectMapper().readTree(right.body()).path("sandboxID").asText();
        HttpResponse<String> kill = http.send(HttpRequest.newBuilder(server.getURI().resolve("/e2b/sandboxes/" + id))
                .header("X-API-Key", "e2b-s3cret").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(kill.statusCode()).isEqualTo(204);
    }
}
