package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmark's client against a real HTTP/1.1 server: fixed-length, chunked and empty bodies, one connection. */
class KeepAliveClientTest {
    private HttpServer server;
    private final Set<InetSocketAddress> clients = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fixed", exchange -> {
            clients.add(exchange.getRemoteAddress());
            byte[] echo = exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"got\":" + new String(echo, StandardCharsets.UTF_8) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", exchange -> {
            clients.add(exchange.getRemoteAddress());
            exchange.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("{\"a\":".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("\"é\"}".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/headers", exchange -> {
            byte[] body = String.valueOf(exchange.getRequestHeaders().get("E2b-Sandbox-Id"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/empty", exchange -> {
            clients.add(exchange.getRemoteAddress());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsEveryKindOfBodyOverOneKeptAliveConnection() {
        KeepAliveClient client = new KeepAliveClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));

        KeepAliveClient.Response fixed = client.send("POST", "/fixed", "[1,2]");
        KeepAliveClient.Response chunked = client.send("GET", "/chunked", null);
        KeepAliveClient.Response empty = client.send("DELETE", "/empty", null);
        KeepAliveClient.Response again = client.send("POST", "/fixed", "3");

        assertThat(fixed).isEqualTo(new KeepAliveClient.Response(201, "{\"got\":[1,2]}"));
        assertThat(chunked).isEqualTo(new KeepAliveClient.Response(200, "{\"a\":\"é\"}"));
        assertThat(empty).isEqualTo(new KeepAliveClient.Response(204, ""));
        assertThat(again.body()).isEqualTo("{\"got\":3}");
        assertThat(clients).as("client connections seen by the server").hasSize(1);
    }

    @Test
    void sendsTheHeadersItIsGiven() {
        KeepAliveClient client = new KeepAliveClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));

        assertThat(client.send("POST", "/headers", "{}", Map.of("E2b-Sandbox-Id", "bench.abc")).body())
                .isEqualTo("[bench.abc]");
        assertThat(client.send("GET", "/headers", null).body()).isEqualTo("null");
    }
}
