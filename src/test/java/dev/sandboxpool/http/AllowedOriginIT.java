package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.RawHttp;
import dev.sandboxpool.testing.RawHttp.Response;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * A web page of an origin listed in {@code sandboxpool.api.allowed-origins} can call the API as browsers do it: a
 * preflight, then the request, answered with CORS headers. Other origins stay refused.
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
@Property(name = "sandboxpool.api.allowed-origins", value = "http://app.example:3000")
class AllowedOriginIT {
    private static final String APP = "http://app.example:3000";
    private static final String EXECUTIONS = "/v1/pools/python/executions";

    @Inject
    EmbeddedServer server;

    private Response preflight(String origin) {
        return RawHttp.exchange(server.getURI(), "OPTIONS " + EXECUTIONS + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Origin: " + origin + "\r\nAccess-Control-Request-Method: POST\r\n"
                + "Access-Control-Request-Headers: content-type\r\n", null);
    }

    private Response post(String origin) {
        return RawHttp.exchange(server.getURI(), "POST " + EXECUTIONS + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Origin: " + origin + "\r\nContent-Type: application/json\r\n", "{\"code\":\"print(6*7)\"}");
    }

    @Test
    void aPageOfTheListedOriginPassesThePreflightAndRunsCode() {
        DockerTestSupport.docker();

        Response allowed = preflight(APP);
        Response ran = post(APP);

        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.headers().get("access-control-allow-origin")).isEqualTo(APP);
        assertThat(allowed.headers().get("access-control-allow-methods")).contains("POST");
        assertThat(ran.status()).isEqualTo(200);
        assertThat(ran.json().path("stdout").asText()).isEqualTo("42\n");
        assertThat(ran.headers().get("access-control-allow-origin")).isEqualTo(APP);
        assertThat(ran.headers()).doesNotContainKey("access-control-allow-credentials");
    }

    @Test
    void aPageOfAnotherOriginIsStillRefused() {
        for (Response r : new Response[] {preflight("http://evil.example"), post("http://evil.example"),
                post("http://app.example:3001")}) {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.error()).isEqualTo("Forbidden");
            assertThat(r.headers()).doesNotContainKey("access-control-allow-origin");
        }
    }
}
