package dev.sandboxpool.http.forward;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.NdjsonClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The forwarding of a lease's sandbox calls to its holder, in one process: every lease's holder is this very server,
 * so each call goes out through {@link PeerClient} and comes back marked as forwarded, and is served here. What a
 * client of a replica that is not the holder gets: its stream line by line as it is printed, and its hang-up
 * reaching the holder, which stops the run.
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/sandbox-api-it-pools.yaml")
@Property(name = "forwarded-stream-it", value = "true")
class ForwardedStreamIT {
    @Inject
    EmbeddedServer server;

    /** Names this server as every lease's holder. */
    @Singleton
    @Replaces(HolderLocator.class)
    @Requires(property = "forwarded-stream-it", value = "true")
    static class SelfAsHolder extends HolderLocator {
        private final Provider<EmbeddedServer> server;

        SelfAsHolder(PoolRegistry pools, Provider<EmbeddedServer> server) {
            super(pools);
            this.server = server;
        }

        @Override
        public Optional<String> holderOf(String leaseId) {
            return Optional.of("127.0.0.1:" + server.get().getPort());
        }
    }

    @Test
    void aForwardedStreamArrivesAsItIsPrintedAndItsHangUpStopsTheRun() throws Exception {
        DockerTestSupport.docker();
        ApiClient api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/sbx").body().path("ready").asInt()).isPositive());
        ApiClient.Reply lease = api.post("/v1/pools/sbx/leases", "{\"ttlSeconds\": 120}");
        assertThat(lease.status()).as(lease.raw().body()).isEqualTo(201);
        String id = lease.text("id");
        String ctx = api.post("/v1/leases/" + id + "/contexts", "").text("id");

        long started = System.nanoTime();
        try (NdjsonClient run = NdjsonClient.post(server.getURI(), "/v1/leases/" + id + "/contexts/" + ctx + "/runs",
                "{\"code\": " + quote("import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('last')") + "}")) {
            JsonNode first = run.next();
            long firstAfterMs = (System.nanoTime() - started) / 1_000_000;
            List<JsonNode> rest = run.rest();
            long endAfterMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(first.path("type").asText()).as("%s", first).isEqualTo("stdout");
            assertThat(firstAfterMs).as("first line after %d ms, end after %d ms", firstAfterMs, endAfterMs)
                    .isLessThan(endAfterMs - 1500);
            assertThat(rest.get(rest.size() - 1).path("type").asText()).isEqualTo("result");
        }

        String ticking = "import time\nfor i in range(600):\n    open('/workspace/ticks', 'a').write('x')\n"
                + "    print(i, flush=True)\n    time.sleep(0.05)\n";
        try (NdjsonClient run = NdjsonClient.post(server.getURI(), "/v1/leases/" + id + "/contexts/" + ctx + "/runs",
                "{\"code\": " + quote(ticking) + "}")) {
            assertThat(run.next().path("type").asText()).isEqualTo("stdout");
        }
        Thread.sleep(1500);
        long before = ticks(api, id);
        Thread.sleep(1000);
        assertThat(ticks(api, id)).as("the run went on at the holder").isEqualTo(before).isLessThan(600);
        api.delete("/v1/leases/" + id);
    }

    private static long ticks(ApiClient api, String lease) {
        ApiClient.Reply r = api.post("/v1/leases/" + lease + "/executions",
                "{\"code\": \"import os; print(os.path.getsize('/workspace/ticks'))\"}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return Long.parseLong(r.text("stdout").strip());
    }
}
