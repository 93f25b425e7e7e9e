package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.NdjsonClient;
import dev.sandboxpool.testing.RawHttp;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An E2B client that hangs up in the middle of {@code run_code} (a notebook closed, an agent's request timed out):
 * the code stops in the sandbox, and the sandbox stays the client's, its member kept. Before, the run was a task whose
 * cancellation interrupted its thread, and an interrupted wait for the runner closed the runner's session: the member
 * was lost and every later call of the sandbox failed (seen: the runner's session closed as interrupted, and this test's next execution failed).
 * The stopped run took its interpreter with it; the context is restarted under its id (its state is gone).
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/e2b-it-pools.yaml")
class E2bHangUpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    EmbeddedServer server;

    private JsonNode create() throws Exception {
        DockerTestSupport.docker();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(server.getURI().resolve("/e2b/v2/sandboxes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\":\"python\",\"timeout\":120}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body());
    }

    @Test
    void aHangUpStopsTheRunAndKeepsTheSandbox() throws Exception {
        JsonNode sandbox = create();
        String id = sandbox.path("sandboxID").asText();
        Map<String, String> headers = Map.of("E2b-Sandbox-Id", id, "E2b-Sandbox-Port", "49999",
                "X-Access-Token", sandbox.path("envdAccessToken").asText());
        String ticking = """
                import time
                for i in range(300):
                    with open('/workspace/ticks', 'a') as f:
                        f.write('x')
                    print(i, flush=True)
                    time.sleep(0.05)
                """;

        try (NdjsonClient run = NdjsonClient.post(server.getURI(), "/e2b/execute",
                JSON.createObjectNode().put("code", ticking).toString(), headers)) {
            assertThat(run.status()).isEqualTo(200);
            JsonNode first = run.next();
            assertThat(first.path("type").asText()).as("%s", first).isEqualTo("stdout");
        }
        Thread.sleep(1000);
        long before = ticks(id);
        Thread.sleep(1000);
        long after = ticks(id);

        assertThat(after).as("the run went on after the hang-up").isEqualTo(before).isLessThan(300);
        try (NdjsonClient again = NdjsonClient.post(server.getURI(), "/e2b/execute", "{\"code\":\"6*7\"}",
                headers)) {
            assertThat(again.rest().toString()).contains("\"text\":\"42\"");
        }
    }

    /**
     * A command's event stream (Connect, {@code process.Process/Start}) closed by its client: the reading stops, the
     * sandbox stays (before, the same interrupted read cost the member: seen, the next execution failed).
     */
    @Test
    void aHangUpOfACommandStreamKeepsTheSandbox() throws Exception {
        JsonNode sandbox = create();
        String id = sandbox.path("sandboxID").asText();
        byte[] message = ("{\"process\":{\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"while true; do echo t >> "
                + "/workspace/ticks; echo t; sleep 0.05; done\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] envelope = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message)
                .array();
        String head = "POST /e2b/process.Process/Start HTTP/1.1\r\nHost: 127.0.0.1:" + server.getPort() + "\r\n"
                + "Content-Type: application/connect+json\r\nE2b-Sandbox-Id: " + id + "\r\nE2b-Sandbox-Port: 49983\r\n"
                + "X-Access-Token: " + sandbox.path("envdAccessToken").asText() + "\r\nContent-Length: "
                + envelope.length + "\r\n\r\n";
        try (Socket s = RawHttp.connect(server.getURI())) {
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(envelope);
            s.getOutputStream().flush();
            // the start event and some output, then hang up while the server waits on the command's next output
            byte[] some = new byte[4096];
            assertThat(s.getInputStream().read(some)).isPositive();
            Thread.sleep(300);
        }
        Thread.sleep(1500);

        assertThat(ticks(id)).as("the command outlives its stream, as in E2B").isPositive();
    }

    /** The size of the ticks file, asked through the lease API (the sandbox id is its lease id). */
    private long ticks(String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.getURI().resolve("/v1/leases/" + id
                + "/executions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"code\":\"import os; print(os.path.getsize('/workspace/ticks'))\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("exitCode").asInt(-1)).as("the sandbox after the hang-up: %s",
                r.body()).isZero();
        return Long.parseLong(JSON.readTree(r.body()).path("stdout").asText().strip());
    }
}
