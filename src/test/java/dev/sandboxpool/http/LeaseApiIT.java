package dev.sandboxpool.http;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Leases through the HTTP API, on the real Docker daemon. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/lease-it-pools.yaml")
class LeaseApiIT {
    @Inject
    EmbeddedServer server;

    ApiClient api;

    @BeforeAll
    void poolsAreWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String pool : List.of("leases", "shortlived")) {
                assertThat(api.get("/v1/pools/" + pool).body().path("ready").asInt()).as(pool).isPositive();
            }
        });
    }

    private String lease(String pool, String body) {
        Reply r = api.post("/v1/pools/" + pool + "/leases", body);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.text("id");
    }

    private Reply exec(String leaseId, String code) {
        return api.post("/v1/leases/" + leaseId + "/executions", "{\"code\":" + quote(code) + "}");
    }

    @Test
    void leaseKeepsStateBetweenItsExecutions() {
        Reply created = api.post("/v1/pools/leases/leases", "{\"ttlSeconds\": 30}");
        String id = created.text("id");

        Reply first = exec(id, "open('notes.txt','w').write('from the first execution')");
        Reply second = exec(id, "print(open('notes.txt').read())");
        Reply shown = api.get("/v1/leases/" + id);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("pool")).isEqualTo("leases");
        assertThat(created.text("sandbox")).startsWith("sandboxpool-leases-");
        assertThat(Instant.parse(created.text("expiresAt")))
                .isBetween(Instant.now().plusSeconds(20), Instant.now().plusSeconds(31));
        assertThat(created.body().has("waitedMs")).isTrue();
        assertThat(first.body().path("exitCode").asInt()).isZero();
        assertThat(second.text("stdout")).isEqualTo("from the first execution\n");
        assertThat(shown.text("sandbox")).isEqualTo(created.text("sandbox"));
        assertThat(api.delete("/v1/leases/" + id).status()).isEqualTo(204);
    }

    @Test
    void secondReleaseAndUnknownLeasesAre404() {
        String id = lease("leases", "");
        api.delete("/v1/leases/" + id);

        Reply again = api.delete("/v1/leases/" + id);
        Reply unknown = api.get("/v1/leases/no-such-lease");
        Reply execUnknown = exec("no-such-lease", "print(1)");

        assertThat(again.status()).isEqualTo(404);
        assertThat(again.text("error")).isEqualTo("LeaseNotFound");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(execUnknown.status()).isEqualTo(404);
    }

    @Test
    void ttlAndWaitAboveTheMaximaAreCappedAndSaySo() {
        Reply r = api.post("/v1/pools/leases/leases", "{\"ttlSeconds\": 100000, \"waitSeconds\": 900}");

        assertThat(r.status()).isEqualTo(201);
        assertThat(Instant.parse(r.text("expiresAt"))).isBefore(Instant.now().plusSeconds(301));
        assertThat(r.body().path("notices").toString()).contains("ttlSeconds 100000 was capped", "lease.maxTtl (5m)",
                "waitSeconds 900 was capped");
        api.delete("/v1/leases/" + r.text("id"));
    }

    @Test
    void renewMovesExpiryForward() {
        String id = lease("leases", "{\"ttlSeconds\": 5}");
        Instant before = Instant.parse(api.get("/v1/leases/" + id).text("expiresAt"));

        Reply renewed = api.post("/v1/leases/" + id + "/renew", "{\"ttlSeconds\": 120}");

        assertThat(renewed.status()).isEqualTo(200);
        assertThat(Instant.parse(renewed.text("expiresAt"))).isAfter(before.plusSeconds(100));
        api.delete("/v1/leases/" + id);
    }

    @Test
    void leaseNotRenewedIsReclaimedAndLaterCallsGet410() {
        String id = lease("shortlived", "");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/leases/" + id).status()).isEqualTo(410));
        Reply exec = exec(id, "print(1)");
        Reply release = api.delete("/v1/leases/" + id);

        assertThat(exec.status()).isEqualTo(410);
        assertThat(exec.text("error")).isEqualTo("LeaseExpired");
        assertThat(release.status()).isEqualTo(410);
        // the sandbox went back to the pool: the next caller gets it
        String next = lease("shortlived", "{\"waitSeconds\": 10}");
        assertThat(exec(next, "print('next')").text("stdout")).isEqualTo("next\n");
        api.delete("/v1/leases/" + next);
    }

    @Test
    void expiryKillsARunningExecution() {
        String id = lease("shortlived", "{\"waitSeconds\": 10}");
        long started = System.nanoTime();

        Reply r = exec(id, "import time\ntime.sleep(30)\nprint('never')");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(r.text("stdout")).doesNotContain("never");
        assertThat(api.get("/v1/leases/" + id).status()).isEqualTo(410);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/shortlived").body().path("ready").asInt()).isEqualTo(1));
    }

    @Test
    void concurrentExecutionsOnOneLeaseAreRefusedNotInterleaved() throws Exception {
        String id = lease("leases", "");
        CompletableFuture<Reply> slow = CompletableFuture.supplyAsync(() ->
                exec(id, "import time\nprint('a', flush=True)\ntime.sleep(2)\nprint('b')"));
        await().atMost(Duration.ofSeconds(10)).until(() -> exec(id, "print('c')").status() == 409);

        assertThat(slow.get(30, TimeUnit.SECONDS).text("stdout")).isEqualTo("a\nb\n");
        assertThat(exec(id, "print('d')").text("stdout")).isEqualTo("d\n");
        api.delete("/v1/leases/" + id);
    }

    @Test
    void badLeaseRequestsAre400NamingTheField() {
        assertThat(api.post("/v1/pools/leases/leases", "{\"ttlSeconds\": -1}").text("message"))
                .startsWith("ttlSeconds");
        assertThat(api.post("/v1/pools/leases/leases", "{\"ttlSeconds\": \"long\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/pools/leases/leases", "{\"ttl\": 5}").text("message")).startsWith("ttl:");
        assertThat(api.post("/v1/pools/leases/leases", "[1]").status()).isEqualTo(400);
        assertThat(api.post("/v1/pools/nope/leases", "").status()).isEqualTo(404);
        String id = lease("leases", "");
        assertThat(api.post("/v1/leases/" + id + "/renew", "{\"waitSeconds\": 1}").status()).isEqualTo(400);
        assertThat(exec(id, "x" .repeat(0)).status()).isEqualTo(200);
        assertThat(api.post("/v1/leases/" + id + "/executions", "{\"code\":\"1\",\"timeoutSeconds\":61}")
                .text("message")).startsWith("timeoutSeconds").contains("at most 60");
        // nothing is left leased by rejected requests
        api.delete("/v1/leases/" + id);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/leases").body().path("leased").asInt()).isZero());
    }

    /** What one client saw: which sandbox it held, and from when to when. */
    record Hold(String sandbox, long fromNanos, long toNanos) {
    }

    @Test
    void twentyClientsOnFourSandboxesNeverShareOneAndNoLeaseIsLost() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        List<Future<Object>> outcomes = new ArrayList<>();
        Map<String, List<Hold>> holds = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            outcomes.add(clients.submit(() -> {
                Reply got = api.post("/v1/pools/leases/leases", "{\"waitSeconds\": 60, \"ttlSeconds\": 60}");
                if (got.status() == 429) {
                    return "429";
                }
                assertThat(got.status()).isEqualTo(201);
                long from = System.nanoTime();
                String id = got.text("id");
                Reply r = exec(id, "import time\ntime.sleep(0.3)\nprint(" + n + ")");
                long to = System.nanoTime();
                assertThat(r.text("stdout")).isEqualTo(n + "\n");
                holds.computeIfAbsent(got.text("sandbox"), k -> new ArrayList<>()).add(new Hold(got.text("sandbox"),
                        from, to));
                assertThat(api.delete("/v1/leases/" + id).status()).isEqualTo(204);
                return got.text("sandbox");
            }));
        }
        int served = 0;
        for (Future<Object> f : outcomes) {
            if (!"429".equals(f.get(120, TimeUnit.SECONDS))) {
                served++;
            }
        }
        clients.shutdown();

        assertThat(served).isEqualTo(20);
        assertThat(holds.keySet()).hasSizeLessThanOrEqualTo(4);
        for (List<Hold> perSandbox : holds.values()) {
            List<Hold> sorted = perSandbox.stream().sorted((a, b) -> Long.compare(a.fromNanos(), b.fromNanos()))
                    .toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).fromNanos()).as("two leases held " + sorted.get(i).sandbox() + " at once")
                        .isGreaterThan(sorted.get(i - 1).toNanos());
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/leases").body().path("leased").asInt()).isZero());
    }

    @Test
    void metricsAreInPrometheusFormat() {
        String id = lease("leases", "");
        exec(id, "print(1)");
        api.delete("/v1/leases/" + id);

        Reply r = api.get("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().body()).contains("sandboxpool_acquire_seconds_bucket", "warm=\"true\"",
                "sandboxpool_execution_seconds_bucket", "sandboxpool_executions_total{outcome=\"ok\",pool=\"leases\"}",
                "sandboxpool_members{pool=\"leases\",state=\"ready\"}", "sandboxpool_leases_active{pool=\"leases\"}");
    }
}
