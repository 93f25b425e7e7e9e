package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.RawHttp;
import dev.sandboxpool.testing.RawHttp.Response;
import io.micronaut.context.annotation.Property;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server's limits, met over raw sockets the way a slow or hostile client meets them: the time to send a
 * request's headers, and the body size that application.yml states (a short header timeout here, to keep it quick).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/http-it-pools.yaml")
@Property(name = "sandboxpool.api.header-timeout", value = "2s")
class HttpLimitsIT {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    EmbeddedServer server;

    @Inject
    HttpServerConfiguration http;

    @BeforeAll
    void dockerIsThere() {
        DockerTestSupport.docker();
    }

    /**
     * Sends {@code start}, then one byte a second of a header that never ends; the time until the server closed the
     * connection, or null if it was still open after {@code patience}.
     */
    private Duration closedAfterTrickling(String start, Duration patience) throws IOException {
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long began = System.nanoTime();
            out.write(start.getBytes(StandardCharsets.US_ASCII));
            while (System.nanoTime() - began < patience.toNanos()) {
                try {
                    out.write('a');
                    out.flush();
                    // the read is the one-second pause between bytes; it ends early only when the server closes
                    if (in.read() < 0) {
                        return Duration.ofNanos(System.nanoTime() - began);
                    }
                } catch (SocketTimeoutException stillOpen) {
                    continue;
                } catch (IOException reset) {
                    return Duration.ofNanos(System.nanoTime() - began);
                }
            }
            return null;
        }
    }

    @Test
    void aClientThatTricklesItsHeadersIsCutOffAtTheHeaderTimeout() throws IOException {
        Duration closed = closedAfterTrickling("GET /v1/pools HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                Duration.ofSeconds(15));

        assertThat(closed).as("the connection was closed").isNotNull();
        assertThat(closed).isBetween(HEADER_TIMEOUT.minusMillis(200), HEADER_TIMEOUT.plusSeconds(3));
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAtTheHeaderTimeout() throws IOException {
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.setSoTimeout(15_000);
            long began = System.nanoTime();

            int read = s.getInputStream().read();

            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(HEADER_TIMEOUT.plusSeconds(3));
        }
    }

    @Test
    void aKeptAliveConnectionMayWaitLongerThanTheHeaderTimeoutBetweenRequests() throws Exception {
        String request = "GET /v1/pools HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(200);

            // idle between two requests, as a pooled client's connection is: that is not a slow header
            Thread.sleep(HEADER_TIMEOUT.plusSeconds(1).toMillis());
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));

            assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(200);
        }
    }

    /** A body of exactly {@code size} bytes: JSON whose code is too large for the pool, so it is read and refused. */
    private static String bodyOf(long size) {
        String head = "{\"code\":\"";
        String tail = "\"}";
        return head + "x".repeat((int) (size - head.length() - tail.length())) + tail;
    }

    @Test
    void theBodyLimitIsTheOneApplicationYmlStates() {
        long limit = http.getMaxRequestSize();
        String post = "POST /v1/pools/python/executions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n";

        Response atLimit = RawHttp.exchange(server.getURI(), post, bodyOf(limit));
        Response over = RawHttp.exchange(server.getURI(), post, bodyOf(limit + 1));

        assertThat(limit).isEqualTo(16L * 1024 * 1024);
        // read whole and parsed: the code field is what is refused, not the body
        assertThat(atLimit.status()).isEqualTo(400);
        assertThat(atLimit.json().path("message").asText()).startsWith("code: is larger than");
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.error()).isEqualTo("PayloadTooLarge");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws IOException {
        long limit = http.getMaxRequestSize();
        byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = RawHttp.connect(server.getURI())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/pools/python/executions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                for (long sent = 0; sent <= limit; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException refusedMidway) {
                // the server may answer and stop reading as soon as the limit is passed
            }

            Response r = RawHttp.read(s.getInputStream());

            assertThat(r.status()).isEqualTo(413);
            assertThat(r.error()).isEqualTo("PayloadTooLarge");
        }
    }

    @Test
    void aHeadOverTheLimitsIs431Or414() {
        Response headers = RawHttp.exchange(server.getURI(), "GET /v1/pools HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "X-Big: " + "y".repeat(8192) + "\r\n", null);
        Response line = RawHttp.exchange(server.getURI(), "GET /v1/pools?" + "q".repeat(4096) + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n", null);

        assertThat(headers.status()).isEqualTo(431);
        assertThat(headers.error()).isEqualTo("HeadersTooLarge");
        assertThat(line.status()).isEqualTo(414);
        assertThat(line.error()).isEqualTo("UriTooLong");
    }

    @Test
    void aHeadWithinTheLimitsIsServed() {
        String filler = "X-Fill: " + "y".repeat(7000) + "\r\n";
        Response r = RawHttp.exchange(server.getURI(), "GET /v1/pools?" + "q".repeat(3000) + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n" + filler, null);

        assertThat(r.status()).isEqualTo(200);
    }
}
