package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The responses of the API description that schemathesis cannot find by calling the server (SchemathesisIT): it
 * sends only the documented content type, bodies far below the size limit, the right Host and no Origin, so a
 * missing 413, 415 or 403 would pass it unnoticed.
 */
class OpenApiDocumentTest {
    private static JsonNode doc;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    record Operation(String label, JsonNode node) {
        boolean answers(String status) {
            return node.path("responses").has(status);
        }
    }

    private static List<Operation> apiOperations() {
        List<Operation> ops = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(path -> {
            if (path.getKey().startsWith("/v1/")) {
                path.getValue().fields().forEachRemaining(op ->
                        ops.add(new Operation(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue())));
            }
        });
        return ops;
    }

    @Test
    void everyApiCallDocumentsTheTokenAndTheLocalModeHostAndOriginChecks() {
        assertThat(apiOperations()).hasSize(27).allSatisfy(op -> {
            assertThat(op.answers("401")).as("%s documents 401", op.label()).isTrue();
            assertThat(op.answers("403")).as("%s documents 403", op.label()).isTrue();
            assertThat(op.node().has("security")).as("%s uses the document's bearer token", op.label()).isFalse();
        });
        assertThat(doc.path("security").toString()).isEqualTo("[{\"bearerToken\":[]}]");
    }

    @Test
    void everyCallWithABodyTakesJsonAloneAndDocuments413And415() {
        List<Operation> withBody = apiOperations().stream().filter(op -> op.node().has("requestBody")).toList();

        assertThat(withBody).extracting(Operation::label).containsExactlyInAnyOrder(
                "POST /v1/pools/{pool}/executions", "POST /v1/pools/{pool}/leases", "POST /v1/leases/{id}/renew",
                "POST /v1/leases/{id}/executions", "PUT /v1/leases/{id}/files", "POST /v1/leases/{id}/files/mkdir",
                "POST /v1/leases/{id}/files/rename", "POST /v1/leases/{id}/commands",
                "POST /v1/leases/{id}/commands/{pid}/stdin", "POST /v1/leases/{id}/commands/{pid}/signal",
                "POST /v1/leases/{id}/contexts", "POST /v1/leases/{id}/contexts/{contextId}/runs");
        assertThat(withBody).allSatisfy(op -> {
            // a file upload is the file's bytes: the one body that is not JSON (JsonContentTypeFilter)
            String type = op.label().equals("PUT /v1/leases/{id}/files") ? "application/octet-stream"
                    : "application/json";
            assertThat(op.node().path("requestBody").path("content").fieldNames()).toIterable()
                    .as("%s request content types", op.label()).containsExactly(type);
            assertThat(op.answers("413")).as("%s documents 413", op.label()).isTrue();
            assertThat(op.answers("415")).as("%s documents 415", op.label()).isTrue();
        });
    }

    @Test
    void everyCallOnALeaseDocumentsItsEndings() {
        assertThat(apiOperations()).filteredOn(op -> op.label().contains("/v1/leases/{id}")).hasSize(23)
                .allSatisfy(op -> {
                    assertThat(op.answers("404")).as("%s documents 404", op.label()).isTrue();
                    assertThat(op.answers("410")).as("%s documents 410", op.label()).isTrue();
                });
    }

    @Test
    void everyCallOnALeasesSandboxDocumentsItsFailures() {
        assertThat(apiOperations())
                .filteredOn(op -> op.label().matches(".* /v1/leases/\\{id}/(files|commands|contexts).*"))
                .hasSize(19).allSatisfy(op -> {
                    assertThat(op.answers("501")).as("%s documents 501", op.label()).isTrue();
                    assertThat(op.answers("502")).as("%s documents 502", op.label()).isTrue();
                });
    }

    @Test
    void everyStreamingCallDocumentsBothAnswers() {
        assertThat(apiOperations()).filteredOn(op -> op.node().at("/responses/200/content").has(
                "application/x-ndjson")).extracting(Operation::label).containsExactlyInAnyOrder(
                        "POST /v1/pools/{pool}/executions", "POST /v1/leases/{id}/executions",
                        "POST /v1/leases/{id}/commands", "POST /v1/leases/{id}/contexts/{contextId}/runs");
    }

    @Test
    void aCreatedLeaseLinksToEveryCallOnIt() {
        JsonNode links = doc.at("/paths/~1v1~1pools~1{pool}~1leases/post/responses/201/links");
        List<String> targets = new ArrayList<>();
        links.forEach(link -> {
            JsonNode resolved = link.has("$ref")
                    ? doc.at(link.path("$ref").asText().substring(1)) : link;
            assertThat(resolved.path("parameters").path("id").asText()).isEqualTo("$response.body#/id");
            targets.add(resolved.path("operationId").asText());
        });

        assertThat(targets).containsExactlyInAnyOrder("getLease", "renewLease", "executeInLease", "releaseLease");
    }
}
