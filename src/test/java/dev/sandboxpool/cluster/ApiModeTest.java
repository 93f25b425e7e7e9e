package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.cluster.testing.StandardClusterLookup;
import dev.sandboxpool.http.CrossSiteFilter;
import dev.sandboxpool.local.LocalPools;
import dev.sandboxpool.operator.OperatorProcess;
import dev.sandboxpool.testing.RawHttp;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code java -jar sandbox-pool.jar api}: the lease API over the cluster, called as the README's curl lines do. */
class ApiModeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ClusterHarness h;
    private EmbeddedServer server;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
        server = StandardClusterLookup.with(h.cluster, MockCluster.API, () -> ApplicationContext.run(EmbeddedServer.class, Map.of(
                "sandboxpool.mode", "api",
                "sandboxpool.watch-namespaces", MockCluster.NAMESPACE + ",elsewhere",
                "micronaut.server.port", -1)));
    }

    @AfterEach
    void stop() {
        server.close();
        h.close();
    }

    @Test
    void onlyTheLeaseApiIsWired() {
        ApplicationContext ctx = server.getApplicationContext();

        assertThat(ctx.getBean(ClusterConfig.class).namespaces())
                .isEqualTo(List.of(MockCluster.NAMESPACE, "elsewhere"));
        assertThat(ctx.containsBean(ClusterPools.class)).isTrue();
        assertThat(ctx.containsBean(dev.sandboxpool.status.StatusController.class)).as("the status page").isTrue();
        assertThat(ctx.containsBean(OperatorProcess.class)).isFalse();
        assertThat(ctx.containsBean(LocalPools.class)).isFalse();
        assertThat(ctx.containsBean(com.github.dockerjava.api.DockerClient.class)).isFalse();
        assertThat(ctx.containsBean(CrossSiteFilter.class)).isFalse();
    }

    @Test
    void answersUnderTheNameOfItsServiceAsLocalModeWouldNot() {
        RawHttp.Response r = RawHttp.exchange(URI.create(server.getURL().toString()),
                "GET /v1/pools HTTP/1.1\r\nHost: sandbox-pool.sandbox-pool-system.svc:8080\r\n", null);

        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void givesNoWebPageLeaveToReadItsAnswers() {
        RawHttp.Response r = RawHttp.exchange(URI.create(server.getURL().toString()),
                "GET /v1/pools HTTP/1.1\r\nHost: sandbox-pool.sandbox-pool-system.svc:8080\r\n"
                        + "Origin: http://evil.example\r\n", null);

        assertThat(r.headers()).doesNotContainKey("access-control-allow-origin");
    }

    @Test
    void executesCodeInAWarmPodAndListsThePool() throws Exception {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        await().atMost(ClusterHarness.WAIT).until(() -> send("GET", "/health/readiness", null).statusCode() == 200);

        HttpResponse<String> run = send("POST", "/v1/pools/python/executions", "{\"code\":\"print(6*7)\"}");

        assertThat(run.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(run.body());
        assertThat(body.path("stdout").asText()).isEqualTo("42\n");
        assertThat(body.path("exitCode").asInt()).isZero();
        assertThat(body.path("sandbox").asText()).startsWith("python-");

        JsonNode pools = JSON.readTree(send("GET", "/v1/pools", null).body());
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.path("name").asText()).isEqualTo("python");
            assertThat(p.path("backend").asText()).isEqualTo("kubernetes");
        });
        assertThat(send("GET", "/v1/pools/" + MockCluster.NAMESPACE + ".python", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/pools/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void busyPoolAnswers429() throws Exception {
        SandboxPoolSpec spec = MockCluster.spec(0, 1);
        spec.getLease().setAcquireTimeout("1s");
        h.createPool("python", spec);
        await().atMost(ClusterHarness.WAIT).until(() -> send("GET", "/v1/pools/python", null).statusCode() == 200);
        ClusterPools replica = h.replica("other");
        await().atMost(ClusterHarness.WAIT).until(() -> replica.find("python").isPresent());
        replica.find("python").orElseThrow().acquire(Duration.ofSeconds(15), Duration.ofMinutes(5));

        HttpResponse<String> refused = send("POST", "/v1/pools/python/executions", "{\"code\":\"print(1)\"}");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("NoSandboxAvailable");
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURL() + path))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
