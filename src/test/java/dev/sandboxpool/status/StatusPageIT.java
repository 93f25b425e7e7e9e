package dev.sandboxpool.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.Chromium;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The status page in a real headless Chromium, on a local-mode server with a token: it shows the pool's members as
 * the API lists them, and a member leased through the API turns leased on the page within a second, its execution
 * and its retirement appear as they happen, and nothing is loaded from anywhere but the server.
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/status-it-pools.yaml")
@Property(name = "sandboxpool.api.token", value = StatusPageIT.TOKEN)
class StatusPageIT {
    static final String TOKEN = "status-page-token";
    /** The page's promise: a change shows within a second. */
    private static final Duration LIVE = Duration.ofSeconds(1);

    @Inject
    EmbeddedServer server;

    @Test
    void thePageShowsTheMembersAndALeaseTurnsLeasedWithinASecond() throws Exception {
        DockerTestSupport.docker();
        ApiClient api = new ApiClient(server.getURI(), TOKEN);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/pools/status").body().path("ready")
                .asInt() == 2);

        try (Chromium browser = Chromium.start(1280, 820)) {
            // what a browser sends once its user typed the token into the Basic prompt
            browser.sendHeader("Authorization", basic("viewer", TOKEN));
            browser.open(server.getURI().resolve("/"));
            browser.waitFor("document.getElementById('live').dataset.state === 'live'", Duration.ofSeconds(5));
            browser.waitFor(members("ready") + ".length === 2", LIVE);
            assertThat(sandboxesOnPage(browser)).isEqualTo(sandboxesOfApi(api));

            Reply lease = api.post("/v1/pools/status/leases", "{\"ttlSeconds\": 60}");
            assertThat(lease.status()).isEqualTo(201);
            String sandbox = lease.text("sandbox");
            Duration shown = browser.waitFor(member(sandbox) + "?.dataset.state === 'leased'", LIVE);

            Reply ran = api.post("/v1/leases/" + lease.text("id") + "/executions", "{\"code\":\"print(6 * 7)\"}");
            assertThat(ran.text("stdout")).isEqualTo("42\n");
            browser.waitFor("[...document.querySelectorAll('section[data-pool=\"status\"] table.executions tbody tr')]"
                    + ".some(r => r.dataset.outcome === 'ok' && r.cells[1].textContent === '" + sandbox + "')", LIVE);

            assertThat(api.delete("/v1/leases/" + lease.text("id")).status()).isEqualTo(204);
            // maxUses 1: released, the member is retired, and the page says why
            browser.waitFor("[...document.querySelectorAll('section[data-pool=\"status\"] table.retirements tbody "
                    + "tr')].some(r => r.dataset.reason === 'max_uses' && r.cells[1].textContent === '" + sandbox
                    + "' && r.cells[2].textContent === 'served reuse.maxUses leases')", LIVE);
            browser.waitFor(members("ready") + ".length === 2", Duration.ofSeconds(30));

            // README's picture: a member leased, its execution and the earlier one, the retirement
            Reply next = api.post("/v1/pools/status/leases", "{\"ttlSeconds\": 60}");
            api.post("/v1/leases/" + next.text("id") + "/executions", "{\"code\":\"print('hello')\"}");
            browser.waitFor(member(next.text("sandbox")) + "?.dataset.state === 'leased' && document.querySelectorAll("
                    + "'section[data-pool=\"status\"] table.executions tbody tr[data-outcome]').length === 2", LIVE);
            browser.screenshot(Path.of("target", "status-page", "status-page.png"));
            api.delete("/v1/leases/" + next.text("id"));

            JsonNode foreign = browser.evaluate("performance.getEntriesByType('resource')"
                    + ".map(e => e.name).filter(n => !n.startsWith(location.origin + '/'))");
            assertThat(foreign).as("requests the page made to other origins").isEmpty();
            assertThat(shown).isLessThan(LIVE);
        }
    }

    @Test
    void thePageNeedsTheTokenAndItsCredentialsNeverRunCode() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI page = server.getURI().resolve("/");

        HttpResponse<String> anonymous = get(http, page, null);
        HttpResponse<String> wrong = get(http, page, basic("viewer", "not-the-token"));
        HttpResponse<String> malformed = get(http, page, "Basic %%%");
        HttpResponse<String> fragment = get(http, server.getURI().resolve("/status/pools"), null);
        HttpResponse<String> withBasic = get(http, page, basic("anyone", TOKEN));
        HttpResponse<String> withBearer = get(http, page, "Bearer " + TOKEN);

        assertThat(List.of(anonymous.statusCode(), wrong.statusCode(), malformed.statusCode(),
                fragment.statusCode())).containsOnly(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Basic realm="));
        assertThat(anonymous.body()).doesNotContain("sandboxpool-status-");
        assertThat(withBasic.statusCode()).isEqualTo(200);
        assertThat(withBasic.body()).contains("data-pool=\"status\"");
        assertThat(withBearer.statusCode()).isEqualTo(200);
        assertThat(withBasic.headers().firstValue("Content-Security-Policy")).hasValue(StatusController.POLICY);
        assertThat(withBasic.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        // the credentials a browser remembers and sends by itself open the page, never the API that runs code
        long before = executions();
        HttpResponse<String> run = http.send(HttpRequest.newBuilder(
                        server.getURI().resolve("/v1/pools/status/executions"))
                .header("Authorization", basic("anyone", TOKEN)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"print(1)\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).isEqualTo(401);
        assertThat(executions()).isEqualTo(before);
    }

    private long executions() {
        return new ApiClient(server.getURI(), TOKEN).get("/v1/pools/status").body().path("executions").asLong();
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String members(String state) {
        return "document.querySelectorAll('section[data-pool=\"status\"] li.member[data-state=\"" + state + "\"]')";
    }

    private static String member(String sandbox) {
        return "document.querySelector('section[data-pool=\"status\"] li.member[data-sandbox=\"" + sandbox + "\"]')";
    }

    private static Set<String> sandboxesOnPage(Chromium browser) {
        Set<String> names = new TreeSet<>();
        browser.evaluate("[..." + members("ready") + "].map(m => m.dataset.sandbox)")
                .forEach(n -> names.add(n.asText()));
        return names;
    }

    private static Set<String> sandboxesOfApi(ApiClient api) {
        Set<String> names = new TreeSet<>();
        List<JsonNode> members = new ArrayList<>();
        api.get("/v1/pools/status").body().path("members").forEach(members::add);
        members.stream().filter(m -> "READY".equals(m.path("state").asText()))
                .forEach(m -> names.add(m.path("sandbox").asText()));
        return names;
    }
}
