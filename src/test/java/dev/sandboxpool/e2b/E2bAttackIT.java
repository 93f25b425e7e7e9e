package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The attacker knows the sandbox id (it is in logs, URLs, {@code Sandbox.list}) and our source, but not the sandbox's
 * access token: every way into the sandbox plane without it runs nothing. Whether something ran is asked of the
 * sandbox itself through the lease API (the sandbox id is the lease id).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/e2b-it-pools.yaml")
class E2bAttackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    EmbeddedServer server;

    private String victim;
    private String victimToken;
    private String other;
    private String otherToken;

    @BeforeAll
    void twoSandboxes() throws Exception {
        DockerTestSupport.docker();
        JsonNode a = create();
        JsonNode b = create();
        victim = a.path("sandboxID").asText();
        victimToken = a.path("envdAccessToken").asText();
        other = b.path("sandboxID").asText();
        otherToken = b.path("envdAccessToken").asText();
        assertThat(victimToken).isNotEmpty().isNotEqualTo(otherToken);
    }

    private JsonNode create() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/e2b/v2/sandboxes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\":\"python\",\"timeout\":120}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private URI uri(String path) {
        return server.getURI().resolve(path);
    }

    private static byte[] startTouching(String file) {
        String message = "{\"process\":{\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"touch " + file + "\"]}}";
        byte[] json = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + json.length).put((byte) 0).putInt(json.length).put(json).array();
    }

    private HttpResponse<String> start(String sandboxId, String token, String file) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/e2b/process.Process/Start"))
                .header("Content-Type", "application/connect+json")
                .header("E2b-Sandbox-Id", sandboxId)
                .header("E2b-Sandbox-Port", "49983")
                .POST(HttpRequest.BodyPublishers.ofByteArray(startTouching(file)));
        if (token != null) {
            request.header("X-Access-Token", token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asked through the lease API, which the sandbox id is the lease of. */
    private boolean exists(String sandboxId, String file) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/leases/" + sandboxId + "/executions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"import os; print(os.path.exists('" + file
                        + "'))\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("stdout").asText().strip().equals("True");
    }

    @Test
    void aCommandWithoutTheAccessTokenRunsNothing() throws Exception {
        HttpResponse<String> r = start(victim, null, "/workspace/pwned-none");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("unauthenticated");
        assertThat(exists(victim, "/workspace/pwned-none")).isFalse();
    }

    @Test
    void anotherSandboxsTokenRunsNothingInThisOne() throws Exception {
        HttpResponse<String> r = start(victim, otherToken, "/workspace/pwned-other");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(exists(victim, "/workspace/pwned-other")).isFalse();
    }

    @Test
    void aTokenMadeUpFromTheIdRunsNothing() throws Exception {
        HttpResponse<String> r = start(victim, victim, "/workspace/pwned-guess");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(exists(victim, "/workspace/pwned-guess")).isFalse();
    }

    @Test
    void anUploadWithoutTheTokenWritesNothing() throws Exception {
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n"
                + "planted\r\n--" + boundary + "--\r\n";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/e2b/files?path=/workspace/planted"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("E2b-Sandbox-Id", victim)
                .header("E2b-Sandbox-Port", "49983")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(exists(victim, "/workspace/planted")).isFalse();
    }

    @Test
    void codeWithoutTheTokenRunsNothing() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/e2b/execute"))
                .header("Content-Type", "application/json")
                .header("E2b-Sandbox-Id", victim)
                .header("E2b-Sandbox-Port", "49999")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"code\":\"open('/workspace/pwned-code','w').write('x')\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(exists(victim, "/workspace/pwned-code")).isFalse();
    }

    /** A web page's no-cors POST: a CORS-simple type and its Origin; refused before anything is created. */
    @Test
    void aWebPagesSimpleRequestCreatesNothing() throws Exception {
        HttpResponse<String> typed = http.send(HttpRequest.newBuilder(uri("/e2b/v2/sandboxes"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\":\"python\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> fromPage = http.send(HttpRequest.newBuilder(uri("/e2b/v2/sandboxes"))
                .header("Content-Type", "application/json")
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\":\"python\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(typed.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(typed.body()).path("code").asInt()).isEqualTo(415);
        assertThat(fromPage.statusCode()).isEqualTo(403);
    }
}
