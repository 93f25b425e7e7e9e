package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.RawHttp;
import dev.sandboxpool.testing.RawHttp.Response;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A web page open in a browser on the machine attacks local mode (no token): it posts code the way a browser sends a
 * cross-site {@code fetch(..., {mode: 'no-cors'})} without a preflight, and it reads answers after rebinding its own
 * name to 127.0.0.1. Each must run no code: no execution counted, no member used. Before the defence, the text/plain,
 * form, untyped and rebound requests ran code (200); the no-cors POST with a foreign {@code Origin} to 127.0.0.1 was
 * already refused by Micronaut's CORS filter (403, with an empty body instead of the API's error).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
class CrossSiteAttackIT {
    private static final String EXECUTIONS = "/v1/pools/python/executions";
    private static final String CODE = "{\"code\":\"open('/workspace/pwned', 'w').write('x'); print('pwned')\"}";

    @Inject
    EmbeddedServer server;

    private URI base;
    private String self;

    @BeforeAll
    void poolIsReady() {
        DockerTestSupport.docker();
        base = server.getURI();
        self = "127.0.0.1:" + server.getPort();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool().path("ready").asInt() >= 1);
    }

    /** What Chromium sends for {@code fetch(url, {method: 'POST', mode: 'no-cors', body: '{"code": ...}'})}. */
    private String noCorsPost(String host, String origin) {
        return "POST " + EXECUTIONS + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Connection: keep-alive\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "Content-Type: text/plain;charset=UTF-8\r\n"
                + "Accept: */*\r\n"
                + "Sec-Fetch-Site: cross-site\r\n"
                + "Sec-Fetch-Mode: no-cors\r\n"
                + "Sec-Fetch-Dest: empty\r\n"
                + "Referer: http://evil.example/\r\n"
                + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120\r\n";
    }

    private JsonNode pool() {
        return RawHttp.exchange(base, "GET /v1/pools/python HTTP/1.1\r\nHost: " + self + "\r\n", null).json();
    }

    /** The pool's execution count and each member's uses: what any execution would change. */
    private Map<String, Long> footprint() {
        JsonNode p = pool();
        Map<String, Long> seen = new TreeMap<>();
        seen.put("executions", p.path("executions").asLong());
        p.path("members").forEach(m -> seen.put(m.path("sandbox").asText(), m.path("uses").asLong()));
        return seen;
    }

    /** No execution counted and no member used since {@code before}; a member started meanwhile has no uses. */
    private void assertNothingRan(Map<String, Long> before) {
        Map<String, Long> after = footprint();
        assertThat(after.get("executions")).as("executions").isEqualTo(before.get("executions"));
        after.forEach((sandbox, uses) -> assertThat(uses).as(sandbox).isEqualTo(before.getOrDefault(sandbox, 0L)));
    }

    @Test
    void aNoCorsPostFromAnotherSiteIsRefusedAndRunsNoCode() {
        Map<String, Long> before = footprint();

        Response r = RawHttp.exchange(base, noCorsPost(self, "http://evil.example"), CODE);

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.error()).isEqualTo("Forbidden");
        assertThat(r.json().path("message").asText()).contains("http://evil.example");
        assertNothingRan(before);
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIs415AndRunsNoCode() {
        Map<String, Long> before = footprint();

        // a no-cors POST from a page whose Origin the browser withholds, a form post, and a Blob body without a type
        Response text = RawHttp.exchange(base, noCorsPost(self, null), CODE);
        Response form = RawHttp.exchange(base, "POST " + EXECUTIONS + " HTTP/1.1\r\nHost: " + self + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n", CODE);
        Response untyped = RawHttp.exchange(base, "POST " + EXECUTIONS + " HTTP/1.1\r\nHost: " + self + "\r\n", CODE);

        for (Response r : new Response[] {text, form, untyped}) {
            assertThat(r.status()).isEqualTo(415);
            assertThat(r.error()).isEqualTo("UnsupportedMediaType");
            assertThat(r.json().path("message").asText()).contains("application/json");
        }
        assertNothingRan(before);
    }

    @Test
    void aRebindingPageCanNeitherReadNorRun() {
        String rebound = "evil.example:" + server.getPort();
        Map<String, Long> before = footprint();

        Response read = RawHttp.exchange(base, "GET /v1/pools/python HTTP/1.1\r\nHost: " + rebound + "\r\n", null);
        // same-origin for the browser now: it allows the JSON type without a preflight, and sends its own Origin
        Response run = RawHttp.exchange(base, "POST " + EXECUTIONS + " HTTP/1.1\r\nHost: " + rebound + "\r\n"
                + "Origin: http://" + rebound + "\r\nContent-Type: application/json\r\n", CODE);
        Response health = RawHttp.exchange(base, "GET /health HTTP/1.1\r\nHost: " + rebound + "\r\n", null);
        Response metrics = RawHttp.exchange(base, "GET /metrics HTTP/1.1\r\nHost: " + rebound + "\r\n", null);

        for (Response r : new Response[] {run, read, health, metrics}) {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.error()).isEqualTo("Forbidden");
            assertThat(r.body()).doesNotContain("sandboxpool-python-");
        }
        assertThat(run.json().path("message").asText()).contains("evil.example");
        assertNothingRan(before);
    }

    @Test
    void programsOnThisMachineAreServedUnderEveryLoopbackName() {
        for (String host : new String[] {self, "localhost:" + server.getPort(), "[::1]:" + server.getPort(),
                "LocalHost"}) {
            Response r = RawHttp.exchange(base, "POST " + EXECUTIONS + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "Content-Type: application/json; charset=utf-8\r\n", "{\"code\":\"print(6*7)\"}");

            assertThat(r.status()).as(host).isEqualTo(200);
            assertThat(r.json().path("stdout").asText()).isEqualTo("42\n");
        }
    }

    @Test
    void aPostWithoutABodyNeedsNoContentType() {
        Response lease = RawHttp.exchange(base, "POST /v1/pools/python/leases HTTP/1.1\r\nHost: " + self + "\r\n"
                + "Content-Length: 0\r\n", null);

        assertThat(lease.status()).isEqualTo(201);
        Response released = RawHttp.exchange(base, "DELETE /v1/leases/" + lease.json().path("id").asText()
                + " HTTP/1.1\r\nHost: " + self + "\r\n", null);
        assertThat(released.status()).isEqualTo(204);
    }
}
