package dev.sandboxpool.http.sandbox;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.NdjsonClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * NDJSON streams of executions, context runs and foreground commands: output reaches the client while the code
 * still runs, and a client that hangs up stops the code in the sandbox, leaving the lease usable.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/sandbox-api-it-pools.yaml")
class StreamingIT {
    /**
     * Prints, then keeps appending to a file for far longer than any test waits (the pool's limit is 30 s). It writes
     * its file before it says it started: a hang-up right after "started" may stop it before its first write
     * in the loop, and a file that never existed cannot be seen to stop growing (seen once, on a busy machine).
     */
    private static final String GROWS = "import time\nopen('/workspace/grows.txt', 'a').write('x')\n"
            + "print('started', flush=True)\nwhile True:\n"
            + "    with open('/workspace/grows.txt', 'a') as f:\n        f.write('x')\n    time.sleep(0.05)\n";

    @Inject
    EmbeddedServer server;

    ApiClient api;
    String lease;

    @BeforeAll
    void poolIsWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/sbx").body().path("ready").asInt()).isPositive());
    }

    @BeforeEach
    void acquire() {
        Reply r = api.post("/v1/pools/sbx/leases", "{\"ttlSeconds\": 120}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        lease = r.text("id");
    }

    @AfterEach
    void release() {
        api.delete("/v1/leases/" + lease);
    }

    private String on(String rest) {
        return "/v1/leases/" + lease + rest;
    }

    private NdjsonClient stream(String rest, String body) {
        return NdjsonClient.post(server.getURI(), on(rest), body);
    }

    @Test
    void anExecutionsFirstOutputArrivesBeforeItEnds() {
        long started = System.nanoTime();
        try (NdjsonClient s = stream("/executions", "{\"code\": " + quote("import time\nprint('first', flush=True)"
                + "\ntime.sleep(2)\nprint('last')") + "}")) {
            JsonNode first = s.next();
            long firstAfterMs = (System.nanoTime() - started) / 1_000_000;
            List<JsonNode> rest = s.rest();
            long endAfterMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(s.status()).isEqualTo(200);
            assertThat(s.contentType()).startsWith("application/x-ndjson");
            assertThat(first.path("type").asText()).isEqualTo("stdout");
            assertThat(first.path("text").asText()).startsWith("first");
            assertThat(firstAfterMs).as("first line after %d ms, end after %d ms", firstAfterMs, endAfterMs)
                    .isLessThan(endAfterMs - 1500);
            JsonNode result = rest.get(rest.size() - 1);
            assertThat(result.path("type").asText()).isEqualTo("result");
            assertThat(result.path("stdout").asText()).isEqualTo("first\nlast\n");
            assertThat(result.path("exitCode").asInt()).isZero();
            assertThat(rest.subList(0, rest.size() - 1)).allSatisfy(l ->
                    assertThat(l.path("type").asText()).isIn("stdout", "stderr"));
        }
    }

    /** The one-shot route streams too: its lease is taken, the code streamed, the lease released. */
    @Test
    void aOneShotExecutionStreamsAndReleasesItsSandbox() {
        long started = System.nanoTime();
        try (NdjsonClient s = NdjsonClient.post(server.getURI(), "/v1/pools/sbx/executions", "{\"code\": " + quote(
                "import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('last')") + "}")) {
            JsonNode first = s.next();
            long firstAfterMs = (System.nanoTime() - started) / 1_000_000;
            List<JsonNode> rest = s.rest();
            long endAfterMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(s.status()).isEqualTo(200);
            assertThat(first.path("type").asText()).isEqualTo("stdout");
            assertThat(firstAfterMs).as("first line after %d ms, end after %d ms", firstAfterMs, endAfterMs)
                    .isLessThan(endAfterMs - 1500);
            JsonNode result = rest.get(rest.size() - 1);
            assertThat(result.path("type").asText()).isEqualTo("result");
            assertThat(result.path("stdout").asText()).isEqualTo("first\nlast\n");
            assertThat(result.path("sandbox").asText()).isNotBlank();
        }
        // this test's own lease (BeforeEach) and none left by the one-shot
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/sbx").body().path("leased").asInt()).isEqualTo(1));
    }

    @Test
    void aContextRunAndAForegroundCommandStreamTheirOutputToo() {
        String ctx = api.post(on("/contexts"), "").text("id");
        try (NdjsonClient run = stream("/contexts/" + ctx + "/runs", "{\"code\": " + quote(
                "import sys, time\nprint('out')\nprint('err', file=sys.stderr)\ntime.sleep(1)\n6 * 7") + "}")) {
            List<JsonNode> lines = run.rest();
            assertThat(lines).extracting(l -> l.path("type").asText()).containsExactly("stdout", "stderr",
                    "result");
            assertThat(lines.get(0).path("text").asText()).isEqualTo("out\n");
            assertThat(lines.get(2).path("results").get(0).path("data").path("text/plain").asText()).isEqualTo("42");
        }
        try (NdjsonClient cmd = stream("/commands", "{\"shell\": \"echo one; sleep 1; echo two >&2; exit 4\"}")) {
            List<JsonNode> lines = cmd.rest();
            assertThat(lines).extracting(l -> l.path("type").asText()).containsExactly("stdout", "stderr",
                    "result");
            assertThat(lines.get(2).path("exitCode").asInt()).isEqualTo(4);
            assertThat(lines.get(2).path("stdout").asText()).isEqualTo("one\n");
        }
    }

    @Test
    void aStreamForALeaseThatIsNotThereIsA404NotAStream() {
        try (NdjsonClient s = NdjsonClient.post(server.getURI(), "/v1/leases/sbx.00000000000000000000000000000000"
                + "/executions", "{\"code\": \"print(1)\"}")) {
            assertThat(s.status()).isEqualTo(404);
            assertThat(s.contentType()).startsWith("application/json");
        }
    }

    /** The size of the file the code grows, through a later call of the same lease. */
    private long grown(String path) {
        Reply stat = api.get(on("/files/stat?path=" + path));
        assertThat(stat.status()).as(stat.raw().body()).isEqualTo(200);
        return stat.body().path("size").asLong();
    }

    /** The file grows no more: two looks a second apart see the same size. */
    private void stopsGrowing(String path) {
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(500)).untilAsserted(() -> {
            long before = grown(path);
            Thread.sleep(1000);
            assertThat(grown(path)).as("%s still grows", path).isEqualTo(before);
        });
    }

    @Test
    void anExecutionWhoseClientHangsUpIsStoppedAndTheLeaseStaysUsable() {
        try (NdjsonClient s = stream("/executions", "{\"code\": " + quote(GROWS) + "}")) {
            assertThat(s.next().path("text").asText()).startsWith("started");
        }

        stopsGrowing("grows.txt");
        Reply next = api.post(on("/executions"), "{\"code\": \"print('still mine')\"}");
        assertThat(next.status()).as(next.raw().body()).isEqualTo(200);
        assertThat(next.text("stdout")).isEqualTo("still mine\n");
    }

    @Test
    void aContextRunWhoseClientHangsUpIsStoppedAndTheContextCanBeRestarted() {
        String ctx = api.post(on("/contexts"), "").text("id");
        try (NdjsonClient s = stream("/contexts/" + ctx + "/runs", "{\"code\": " + quote(GROWS) + "}")) {
            assertThat(s.next().path("text").asText()).startsWith("started");
        }

        stopsGrowing("grows.txt");
        Reply restarted = api.post(on("/contexts/" + ctx + "/restart"), "");
        Reply run = api.post(on("/contexts/" + ctx + "/runs"), "{\"code\": \"6 * 7\"}");
        assertThat(restarted.status()).isEqualTo(200);
        assertThat(run.body().path("results").get(0).path("data").path("text/plain").asText()).isEqualTo("42");
    }

    @Test
    void aForegroundCommandWhoseClientHangsUpIsKilled() {
        try (NdjsonClient s = stream("/commands", "{\"shell\": \"echo started; while true; do echo x >>"
                + " /workspace/cmd.txt; sleep 0.05; done\"}")) {
            assertThat(s.next().path("text").asText()).isEqualTo("started\n");
        }

        stopsGrowing("cmd.txt");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode commands = api.get(on("/commands")).body().path("commands");
            assertThat(commands).isNotEmpty().allSatisfy(c -> {
                assertThat(c.path("running").asBoolean()).isFalse();
                assertThat(c.path("exitCode").asInt()).isEqualTo(128 + 9);
            });
        });
    }
}
