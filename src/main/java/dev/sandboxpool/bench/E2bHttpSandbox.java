package dev.sandboxpool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One E2B sandbox driven with the bench's own HTTP client: the requests the SDK sends (create on the control plane,
 * {@code POST /execute} to the code interpreter's port on the sandbox plane, kill), without the SDK. Beside the SDK's
 * rows it shows which part of a {@code run_code} is the server's and which the Python client's.
 */
final class E2bHttpSandbox implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The code interpreter's port, which the SDK names in {@code E2b-Sandbox-Port} for {@code /execute}. */
    private static final String INTERPRETER_PORT = "49999";

    private final KeepAliveClient api;
    private final String id;
    private final Map<String, String> sandboxPlane;

    private E2bHttpSandbox(KeepAliveClient api, String id, String accessToken) {
        this.api = api;
        this.id = id;
        this.sandboxPlane = Map.of("E2b-Sandbox-Id", id, "E2b-Sandbox-Port", INTERPRETER_PORT,
                "X-Access-Token", accessToken);
    }

    /** {@code Sandbox.create(template)}: a lease of the pool of that name (the bench's application has no token). */
    static E2bHttpSandbox create(KeepAliveClient api, String template) {
        JsonNode created = json(expect(api.send("POST", "/e2b/v2/sandboxes",
                "{\"templateID\":\"" + template + "\",\"timeout\":300}", Map.of("X-API-Key", "bench")), 201));
        return new E2bHttpSandbox(api, created.path("sandboxID").asText(), created.path("envdAccessToken").asText());
    }

    /** {@code run_code(code)} in the sandbox's default context; fails unless its one result's text is expected. */
    void runCode(String code, String expectedText) {
        String body = "{\"code\":" + JSON.valueToTree(code) + "}";
        List<String> texts = resultTexts(expect(api.send("POST", "/e2b/execute", body, sandboxPlane), 200));
        if (!texts.equals(List.of(expectedText))) {
            throw new IllegalStateException("run_code(" + code + ") gave " + texts + ", expected " + expectedText);
        }
    }

    /** The texts of the {@code result} events of an {@code /execute} answer (NDJSON); fails on an error event. */
    static List<String> resultTexts(String ndjson) {
        List<String> texts = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = json(line);
            switch (event.path("type").asText()) {
                case "result" -> texts.add(event.path("text").asText(null));
                case "error" -> throw new IllegalStateException("run_code failed: " + event.path("name").asText()
                        + ": " + event.path("value").asText());
                default -> {
                    // stdout, stderr, number_of_executions: not what run_code("1+1") is checked by
                }
            }
        }
        return texts;
    }

    /** {@code kill()}: releases the lease. */
    @Override
    public void close() {
        expect(api.send("DELETE", "/e2b/sandboxes/" + id, null), 204);
    }

    private static String expect(KeepAliveClient.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException(r.status() + " " + r.body());
        }
        return r.body();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
