package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.RawHttp;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An execution longer than the server's idle timeout (5 min by default; 2 s here) still gets its answer: the
 * connection is quiet while code runs, and that is not a client gone idle.
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
@Property(name = "micronaut.server.idle-timeout", value = "2s")
class LongExecutionIT {
    @Inject
    EmbeddedServer server;

    @Test
    void anExecutionOutlastingTheIdleTimeoutIsAnswered() {
        DockerTestSupport.docker();
        ApiClient api = new ApiClient(server.getURI());

        ApiClient.Reply r = api.post("/v1/pools/python/executions",
                "{\"code\":\"import time; time.sleep(5); print('after 5 s')\", \"timeoutSeconds\": 15}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("stdout")).isEqualTo("after 5 s\n");
    }

    /** The defence stays: on the same connection, once answered, a caller that says nothing is closed as before. */
    @Test
    void afterItsAnswerAQuietConnectionIsClosedAtTheIdleTimeout() throws Exception {
        DockerTestSupport.docker();
        String body = "{\"code\":\"import time; time.sleep(3); print(1)\"}";
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.getOutputStream().write(("POST /v1/pools/python/executions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            RawHttp.Response answered = RawHttp.read(s.getInputStream());
            long quietSince = System.nanoTime();
            int next = s.getInputStream().read(); // blocks until the server closes the kept-alive connection

            assertThat(answered.status()).isEqualTo(200);
            assertThat(next).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isBetween(Duration.ofMillis(1500),
                    Duration.ofSeconds(10));
        }
    }

    /** A request whose body stops coming is not the server's work: the idle timeout still applies. */
    @Test
    void aRequestWhoseBodyStallsIsClosedAtTheIdleTimeout() throws Exception {
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.getOutputStream().write(("POST /v1/pools/python/executions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\"")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long quietSince = System.nanoTime();

            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isLessThan(Duration.ofSeconds(10));
        }
    }

    /**
     * Micronaut answers a request for no route before its body came (404 here): that answer counts for the request,
     * so the body, sent after it, leaves nothing pending, and the quiet connection still idles out. (Counting
     * answers owed from each body's end, it never would have: the early answer came before anything was owed.)
     */
    @Test
    void aBodySentAfterAnEarlyAnswerDoesNotKeepTheConnectionOpen() throws Exception {
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.getOutputStream().write(("POST /v1/no-such-route HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            RawHttp.Response early = RawHttp.read(s.getInputStream());
            s.getOutputStream().write("{}".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long quietSince = System.nanoTime();

            int next = s.getInputStream().read(); // until the server closes

            assertThat(early.status()).isEqualTo(404);
            assertThat(next).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
