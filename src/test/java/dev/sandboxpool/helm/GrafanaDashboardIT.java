package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The chart's Grafana dashboard (issue 16) asks only for metrics the application really exports: every metric a
 * query names is in a scrape of {@code /metrics} of local mode on the real Docker daemon, from its start (counters
 * exist at 0 before their first event, so the panels are there before anything happened).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
class GrafanaDashboardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\bsandboxpool_[a-z_]+");

    @Inject
    EmbeddedServer server;

    @Test
    void everyQueryOfTheDashboardNamesAnExportedMetric() throws Exception {
        DockerTestSupport.docker();
        ApiClient api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/pools/python").body().path("ready").asInt()
                >= 1);
        // one of each call, so the histograms have samples
        assertThat(api.post("/v1/pools/python/executions", "{\"code\":\"print(1)\"}").status()).isEqualTo(200);
        String scrape = api.get("/metrics").raw().body();
        Set<String> exported = scrape.lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

        List<String> queries = queries(dashboard());
        assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
        Set<String> asked = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                asked.add(m.group());
            }
        }
        assertThat(asked).contains("sandboxpool_members", "sandboxpool_acquire_seconds_bucket",
                "sandboxpool_executions_total", "sandboxpool_waiting_callers", "sandboxpool_members_retired_total",
                "sandboxpool_probe_failures_total");
        assertThat(exported).as("metrics in GET /metrics").containsAll(asked);
    }

    @Test
    void theDashboardIsOffByDefaultAndLabelledForGrafanasSidecar() throws Exception {
        assertThat(HelmChart.ofType(HelmChart.withDefaults().render(), ConfigMap.class))
                .noneMatch(c -> c.getMetadata().getName().endsWith("-dashboard"));
        ConfigMap on = dashboardConfigMap();
        assertThat(on.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode d = JSON.readTree(on.getData().get("sandbox-pool.json"));
        assertThat(d.path("uid").asText()).isEqualTo("sandbox-pool");
        assertThat(d.path("panels")).allSatisfy(p -> assertThat(p.path("title").asText()).isNotBlank());
    }

    private static ConfigMap dashboardConfigMap() {
        List<HasMetadata> objects = HelmChart.withDefaults().set("grafanaDashboard.enabled", true).render();
        return HelmChart.ofType(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard")).findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard ConfigMap"));
    }

    private static JsonNode dashboard() throws Exception {
        return JSON.readTree(dashboardConfigMap().getData().get("sandbox-pool.json"));
    }

    private static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.path("expr").asText())));
        return out;
    }
}
