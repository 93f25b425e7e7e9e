package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One client floods one pool (issue 13 item 2). Before, 200 one-shots against a pool of maxSize 3 parked all 200
 * request threads: for about 17 s another pool's executions, GET /v1/pools, /health and a waitSeconds 0 lease all
 * waited, and /health said 503. Here the request threads are few (16), so a flood of 40 would hold them all for
 * the whole flood (a SingleUse pool of one member, each execution 2 s: over a minute) if waiting held a thread.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/overload-it-pools.yaml")
@Property(name = "micronaut.executors.blocking.nThreads", value = "16")
class OverloadIT {
    private static final int FLOOD = 40;
    private static final int MAX_WAITING = 10;
    /** Far below the stall the flood caused before (over a minute), far above a loaded machine's slowest answer. */
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EmbeddedServer server;

    private ApiClient api;

    @BeforeAll
    void poolsAreWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(api.get("/v1/pools/flooded").body().path("ready").asInt()).isEqualTo(1);
            assertThat(api.get("/v1/pools/bystander").body().path("ready").asInt()).isEqualTo(1);
        });
    }

    @Test
    void aFloodedPoolQueuesABoundedLineAndDelaysNothingElse() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            flood.add(http.sendAsync(HttpRequest.newBuilder(server.getURI().resolve("/v1/pools/flooded/executions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"import time; time.sleep(2)\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // the callers beyond the line are refused at once, saying why: all but the line, the one served and the
        // few that joined the line while the first members were served
        await().atMost(PROMPT).until(() -> refused(flood).size() >= FLOOD - MAX_WAITING - 3);
        assertThat(api.get("/v1/pools/flooded").body().path("waiting").asInt()).isBetween(1, MAX_WAITING);
        List<HttpResponse<String>> refused = refused(flood);
        assertThat(JSON.readTree(refused.get(0).body()).path("error").asText()).isEqualTo("TooManyWaiting");
        assertThat(refused.get(0).headers().firstValue("Retry-After")).isPresent();

        // while the line waits, nothing else does
        assertPrompt("GET /v1/pools", () -> api.get("/v1/pools").status(), 200);
        assertPrompt("GET /health", () -> api.get("/health").status(), 200);
        assertPrompt("a lease with waitSeconds 0 on the flooded pool",
                () -> api.post("/v1/pools/flooded/leases", "{\"waitSeconds\":0}").status(), 429);
        assertPrompt("a one-shot on another pool", () -> {
            ApiClient.Reply r = api.post("/v1/pools/bystander/executions", "{\"code\":\"print(6*7)\"}");
            assertThat(r.text("stdout")).isEqualTo("42\n");
            return r.status();
        }, 200);
        assertPrompt("a lease and an execution in it on another pool", () -> {
            ApiClient.Reply lease = api.post("/v1/pools/bystander/leases", "");
            String id = lease.text("id");
            int status = api.post("/v1/leases/" + id + "/executions", "{\"code\":\"print(1)\"}").status();
            api.delete("/v1/leases/" + id);
            return status;
        }, 200);

        // the flood's own callers are served in turn or told the pool is busy; none fails otherwise
        for (CompletableFuture<HttpResponse<String>> f : flood) {
            assertThat(f.get().statusCode()).isIn(200, 429);
        }
    }

    private static List<HttpResponse<String>> refused(List<CompletableFuture<HttpResponse<String>>> calls) {
        return calls.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
                .filter(r -> r.statusCode() == 429).toList();
    }

    private static void assertPrompt(String what, Supplier<Integer> call, int expectedStatus) {
        long started = System.nanoTime();
        int status = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(status).as(what).isEqualTo(expectedStatus);
        assertThat(took).as(what + " while another pool is flooded").isLessThan(PROMPT);
    }
}
