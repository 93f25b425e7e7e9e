package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** With a token configured, /v1 needs it; health and metrics stay open. */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
@Property(name = "sandboxpool.api.token", value = "s3cret-token")
class AuthIT {
    @Inject
    EmbeddedServer server;

    @Test
    void callsWithoutTheRightTokenAre401() {
        DockerTestSupport.docker();
        ApiClient anonymous = new ApiClient(server.getURI());
        ApiClient wrong = new ApiClient(server.getURI(), "s3cret-tokeN");

        var none = anonymous.get("/v1/pools");
        var bad = wrong.post("/v1/pools/python/executions", "{\"code\":\"print(1)\"}");

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.text("error")).isEqualTo("Unauthorized");
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer"));
        assertThat(bad.status()).isEqualTo(401);
    }

    @Test
    void callsWithTheTokenGoThrough() {
        ApiClient client = new ApiClient(server.getURI(), "s3cret-token");

        assertThat(client.get("/v1/pools").status()).isEqualTo(200);
        assertThat(client.post("/v1/pools/python/executions", "{\"code\":\"print(7)\"}").text("stdout"))
                .isEqualTo("7\n");
    }

    @Test
    void healthMetricsAndApiDescriptionNeedNoToken() {
        ApiClient anonymous = new ApiClient(server.getURI());

        assertThat(anonymous.get("/health").status()).isIn(200, 503);
        assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
        assertThat(anonymous.get("/openapi.yml").status()).isEqualTo(200);
    }
}
