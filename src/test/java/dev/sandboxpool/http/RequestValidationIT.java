package dev.sandboxpool.http;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests the sandbox cannot honour, sent to a real pool on Docker: each is a 400 naming the field, and none
 * reaches a member (the members, their use counts and the retirement count are the same before and after).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/request-validation-it-pools.yaml")
class RequestValidationIT {
    private static final String POOL = "/v1/pools/validation";

    /** Bodies every execution route refuses, each with the start of its message (the field). */
    private static final Map<String, String> BAD_EXECUTIONS = badExecutions();

    @Inject
    EmbeddedServer server;

    ApiClient api;
    private final List<String> leases = new ArrayList<>();

    private static Map<String, String> badExecutions() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(files("."), "files..: ");
        bad.put(files("./."), "files../.: ");
        bad.put(files("a/.."), "files.a/..: ");
        bad.put(files("a//b"), "files.a//b: ");
        bad.put(files("x".repeat(256)), "files.xxx");
        bad.put(files(("d".repeat(200) + "/").repeat(20) + "f".repeat(100)), "files.ddd");
        bad.put(files("a", "a/b"), "files.a/b: ");
        bad.put(files("a", "./a"), "files../a: ");
        bad.put(files("a\\u0000b"), "files.a\\u0000b: ");
        bad.put(files("\\ud800"), "files.\\ud800: ");
        bad.put("{\"code\":\"print(1)\",\"files\":{\"f.txt\":\"\\udc00\"}}", "files.f.txt: ");
        bad.put("{\"code\":\"print(1)\",\"stdin\":\"\\ud800\"}", "stdin: ");
        bad.put("{\"code\":\"print(1)\\ud800\"}", "code: ");
        bad.put("{\"code\":\"print(1)\\u0000\"}", "code: ");
        bad.put("{\"code\":\"print(1)\",\"env\":{\"A\":\"x\\u0000y\"}}", "env.A: ");
        bad.put("{\"code\":\"print(1)\",\"env\":{\"A\\u0000\":\"x\"}}", "env.A\\u0000: ");
        bad.put("{\"code\":\"print(1)\",\"env\":{\"A\":\"\\ud800\"}}", "env.A: ");
        bad.put(timeout("9223372036854775.808"), "timeoutSeconds: must be at most 20 ");
        bad.put(timeout("18446744073709551.616"), "timeoutSeconds: must be at most 20 ");
        bad.put(timeout("5.2e16"), "timeoutSeconds: must be at most 20 ");
        bad.put(timeout("1e999999999"), "timeoutSeconds: must be at most 20 ");
        bad.put(timeout("20.0001"), "timeoutSeconds: must be at most 20 ");
        bad.put(timeout("0.0001"), "timeoutSeconds: must be at least 0.001");
        bad.put(timeout("1e9999999999"), "body: ");
        bad.put(timeout("\"NaN\""), "timeoutSeconds");
        return bad;
    }

    /** A body with these files keys (JSON source text), each holding "x". */
    private static String files(String... jsonKeys) {
        List<String> entries = new ArrayList<>();
        for (String key : jsonKeys) {
            entries.add("\"" + key + "\":\"x\"");
        }
        return "{\"code\":\"print(1)\",\"files\":{" + String.join(",", entries) + "}}";
    }

    private static String timeout(String json) {
        return "{\"code\":\"print(1)\",\"timeoutSeconds\":" + json + "}";
    }

    @BeforeAll
    void dockerIsThere() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
    }

    @BeforeEach
    void poolIsWarmAndIdle() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode pool = api.get(POOL).body();
            assertThat(pool.path("ready").asInt()).isEqualTo(2);
            assertThat(pool.path("leased").asInt()).isZero();
            assertThat(pool.path("starting").asInt()).isZero();
        });
    }

    /** Members with their use counts, executions and retirements: what a rejected request must not change. */
    private record Snapshot(List<String> members, long executions, double retired) {
    }

    private Snapshot snapshot() {
        JsonNode pool = api.get(POOL).body();
        List<String> members = StreamSupport.stream(pool.path("members").spliterator(), false)
                .map(m -> m.path("id").asText() + " " + m.path("sandbox").asText() + " uses=" + m.path("uses").asInt())
                .sorted()
                .toList();
        double retired = api.get("/metrics").raw().body().lines()
                .filter(l -> l.startsWith("sandboxpool_members_retired_total{") && l.contains("pool=\"validation\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
        return new Snapshot(members, pool.path("executions").asLong(), retired);
    }

    private static void assertRefused(SoftAssertions softly, Reply r, String body, String messageStart) {
        String what = (body.length() > 120 ? body.substring(0, 120) + "..." : body) + " -> " + r.raw().body();
        softly.assertThat(r.status()).as(what).isEqualTo(400);
        softly.assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).as(what)
                .contains("application/json");
        softly.assertThat(r.text("error")).as(what).isEqualTo("InvalidRequest");
        softly.assertThat(r.text("message")).as(what).startsWith(messageStart);
    }

    private String lease(String body) {
        Reply r = api.post(POOL + "/leases", body);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        leases.add(r.text("id"));
        return r.text("id");
    }

    @AfterEach
    void releaseLeases() {
        leases.forEach(id -> api.delete("/v1/leases/" + id));
        leases.clear();
    }

    @Test
    void invalidOneShotsAre400NamingTheFieldAndLeaveEveryMemberAsItWas() {
        Snapshot before = snapshot();

        SoftAssertions.assertSoftly(softly -> BAD_EXECUTIONS.forEach((body, field) ->
                assertRefused(softly, api.post(POOL + "/executions", body), body, field)));

        Snapshot after = snapshot();
        assertThat(before.members()).hasSize(2);
        assertThat(after).isEqualTo(before);
        assertThat(api.post(POOL + "/executions", "{\"code\":\"print(6*7)\"}").text("stdout")).isEqualTo("42\n");
    }

    @Test
    void invalidExecutionsInALeaseLeaveItsSandboxAndFilesAsTheyWere() {
        String id = lease("{\"ttlSeconds\":60}");
        String sandbox = api.get("/v1/leases/" + id).text("sandbox");
        api.post("/v1/leases/" + id + "/executions", "{\"code\":" + quote("open('kept.txt','w').write('kept')") + "}");
        Snapshot before = snapshot();

        SoftAssertions.assertSoftly(softly -> BAD_EXECUTIONS.forEach((body, field) ->
                assertRefused(softly, api.post("/v1/leases/" + id + "/executions", body), body, field)));
        Snapshot after = snapshot();

        Reply read = api.post("/v1/leases/" + id + "/executions", "{\"code\":" + quote("print(open('kept.txt').read())")
                + "}");
        assertThat(after).isEqualTo(before);
        assertThat(read.text("stdout")).isEqualTo("kept\n");
        assertThat(read.text("sandbox")).isEqualTo(sandbox);
        assertThat(api.get("/v1/leases/" + id).status()).isEqualTo(200);
    }

    @Test
    void hugeTtlsAndWaitsAreCappedWithANoticeNeverWrapped() {
        Instant start = Instant.now();
        Reply huge = api.post(POOL + "/leases", "{\"ttlSeconds\":5.2e16,\"waitSeconds\":9223372036854775.808}");
        String id = huge.text("id");
        leases.add(id);
        Reply renewed = api.post("/v1/leases/" + id + "/renew", "{\"ttlSeconds\":18446744073709551.616}");
        Reply tiny = api.post("/v1/leases/" + id + "/renew", "{\"ttlSeconds\":0.0001}");
        Reply negative = api.post("/v1/leases/" + id + "/renew", "{\"ttlSeconds\":-5.2e16}");

        assertThat(huge.status()).as(huge.raw().body()).isEqualTo(201);
        assertThat(Instant.parse(huge.text("expiresAt"))).isBetween(start.plusSeconds(110), start.plusSeconds(121));
        assertThat(huge.body().path("notices").toString()).contains("ttlSeconds 52000000000000000 was capped",
                "waitSeconds 9223372036854775.808 was capped");
        assertThat(renewed.status()).as(renewed.raw().body()).isEqualTo(200);
        assertThat(Instant.parse(renewed.text("expiresAt"))).isBetween(start.plusSeconds(110), Instant.now()
                .plusSeconds(121));
        assertThat(renewed.body().path("notices").toString()).contains("capped to the pool's lease.maxTtl (2m)");
        SoftAssertions.assertSoftly(softly -> {
            assertRefused(softly, tiny, "ttlSeconds 0.0001", "ttlSeconds: must be at least 0.001");
            assertRefused(softly, negative, "ttlSeconds -5.2e16", "ttlSeconds: must be at least 0.001");
        });
    }
}
