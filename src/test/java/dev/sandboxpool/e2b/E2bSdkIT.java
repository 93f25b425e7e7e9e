package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.E2bSdks;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official E2B SDKs, unchanged, against a server in local mode (see {@link E2bSdks}). */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/e2b-it-pools.yaml")
class E2bSdkIT {
    @Inject
    EmbeddedServer server;

    private E2bSdks.Target target;

    @BeforeAll
    void sdksAndImage() throws Exception {
        DockerTestSupport.docker();
        E2bSdks.install();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                server.getURI().resolve("/v1/pools/python/executions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"import importlib.util; print(importlib.util"
                        + ".find_spec('matplotlib') is not None)\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        boolean hasMatplotlib = new ObjectMapper().readTree(r.body()).path("stdout").asText().strip().equals("True");
        String base = server.getURI().resolve("/e2b").toString();
        target = new E2bSdks.Target(base, base, "e2b_not-needed-without-a-token", hasMatplotlib);
    }

    @Test
    void pythonSdkScriptPasses() throws Exception {
        E2bSdks.runPython(target);
    }

    @Test
    void javascriptSdkScriptPasses() throws Exception {
        E2bSdks.runJavascript(target);
    }
}
