package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP API in local mode, on the real Docker daemon, called the way the README's curl examples call it. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
class ApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    EmbeddedServer server;

    @BeforeAll
    void dockerIsThere() {
        DockerTestSupport.docker();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/v1/pools/python").body().path("ready").asInt()).isEqualTo(1));
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    private Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(server.getURI().resolve(path)));
    }

    /** As {@code curl -H 'Content-Type: application/json' -d}. */
    private Reply post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(server.getURI().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void executesCodeSentAsJson() throws Exception {
        Reply r = post("/v1/pools/python/executions", "{\"code\":\"print(6*7)\"}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("stdout").asText()).isEqualTo("42\n");
        assertThat(r.body().path("exitCode").asInt()).isZero();
        assertThat(r.body().path("timedOut").asBoolean()).isFalse();
        assertThat(r.body().path("truncated").asBoolean()).isFalse();
        assertThat(r.body().path("sandbox").asText()).startsWith("sandboxpool-python-");
        assertThat(r.body().has("durationMs")).isTrue();
        assertThat(r.body().has("waitedMs")).isTrue();
    }

    @Test
    void executionGetsStdinAndReportsATimeout() throws Exception {
        Reply echoed = post("/v1/pools/python/executions",
                "{\"code\":\"print(input().upper())\",\"stdin\":\"shout\\n\"}");
        Reply looped = post("/v1/pools/python/executions", "{\"code\":\"while True: pass\",\"timeoutSeconds\":1}");

        assertThat(echoed.body().path("stdout").asText()).isEqualTo("SHOUT\n");
        assertThat(looped.status()).isEqualTo(200);
        assertThat(looped.body().path("timedOut").asBoolean()).isTrue();
        assertThat(looped.body().path("exitCode").asInt()).isEqualTo(137);
    }

    @Test
    void listsPoolsAndShowsEachMember() throws Exception {
        Reply list = get("/v1/pools");
        Reply one = get("/v1/pools/python");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().findValuesAsText("name")).contains("python", "tiny");
        assertThat(one.body().path("minSize").asInt()).isEqualTo(1);
        assertThat(one.body().path("maxSize").asInt()).isEqualTo(2);
        JsonNode member = one.body().path("members").get(0);
        assertThat(member.path("state").asText()).isIn("READY", "LEASED", "CLEANING", "STARTING");
        assertThat(member.has("uses")).isTrue();
        assertThat(member.has("ageSeconds")).isTrue();
        assertThat(member.has("lastProbeAt")).isTrue();
        assertThat(one.body().path("conditions").findValuesAsText("type")).contains("Ready");
    }

    @Test
    void unknownPoolIs404() throws Exception {
        Reply r = post("/v1/pools/nope/executions", "{\"code\":\"print(1)\"}");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().path("error").asText()).isEqualTo("PoolNotFound");
        assertThat(r.body().path("message").asText()).contains("nope");
    }

    @Test
    void badBodiesAre400NamingTheField() throws Exception {
        assertBadRequest("{\"code\":", "body", "malformed JSON");
        assertBadRequest("", "body", "required");
        assertBadRequest("{\"stdin\":\"x\"}", "code", "is required");
        assertBadRequest("{\"code\":5}", "code", "");
        assertBadRequest("{\"code\":\"1\",\"timeout\":3}", "timeout", "unknown field");
        assertBadRequest("{\"code\":\"1\",\"timeoutSeconds\":-1}", "timeoutSeconds", "at least 0.001");
        assertBadRequest("{\"code\":\"1\",\"timeoutSeconds\":\"ten\"}", "timeoutSeconds", "");
        assertBadRequest("{\"code\":\"1\",\"timeoutSeconds\":21}", "timeoutSeconds", "at most 20");
        assertBadRequest("{\"code\":\"1\",\"files\":{\"../etc/x\":\"y\"}}", "files.../etc/x", "relative path");
        assertBadRequest("{\"code\":\"1\",\"files\":{\"/etc/x\":\"y\"}}", "files./etc/x", "relative path");
    }

    private void assertBadRequest(String body, String field, String reason) throws Exception {
        Reply r = post("/v1/pools/python/executions", body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.body().path("error").asText()).as(body).isEqualTo("InvalidRequest");
        assertThat(r.body().path("message").asText()).as(body).startsWith(field).contains(reason);
    }

    @Test
    void busyPoolAnswers429WithRetryAfter() throws Exception {
        CompletableFuture<Reply> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/v1/pools/tiny/executions", "{\"code\":\"import time; time.sleep(3)\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/pools/tiny").body().path("leased").asInt() == 1);

        Reply refused = post("/v1/pools/tiny/executions", "{\"code\":\"print(1)\"}");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body().path("error").asText()).isEqualTo("NoSandboxAvailable");
        assertThat(refused.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                assertThat(Integer.parseInt(v)).isPositive());
        assertThat(holder.get().status()).isEqualTo(200);
    }

    @Test
    void healthShowsDockerAndPools() throws Exception {
        Reply r = get("/health");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("UP");
        JsonNode details = r.body().path("details").path("sandboxPools").path("details");
        assertThat(details.path("docker").asText()).isEqualTo("reachable");
        assertThat(details.path("python").path("ready").asText()).isEqualTo("True");
    }

    @Test
    void unknownRouteIsAJsonError() throws Exception {
        Reply r = send(HttpRequest.newBuilder(URI.create(server.getURI() + "/v1/nothing")));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().path("error").asText()).isEqualTo("NotFound");
    }
}
