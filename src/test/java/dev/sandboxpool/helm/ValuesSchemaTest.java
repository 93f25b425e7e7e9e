package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesSchemaTest {
    private static final Path VALUES = HelmChart.DIR.resolve("values.yaml");
    private static final Path SCHEMA = HelmChart.DIR.resolve("values.schema.json");

    @Test
    void unknownTopLevelKeyIsRejectedByName() {
        assertThatThrownBy(() -> HelmChart.withDefaults().set("replicas", 2).yaml())
                .hasMessageContaining("schema")
                .hasMessageContaining("replicas")
                .hasMessageContaining("not allowed");
    }

    @Test
    void unknownNestedKeyIsRejectedByName() {
        assertThatThrownBy(() -> HelmChart.withDefaults().set("leaderElection.enable", true).yaml())
                .hasMessageContaining("/leaderElection")
                .hasMessageContaining("enable");
    }

    @Test
    void wrongTypeIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> HelmChart.withDefaults().set("replicaCount", "two").yaml())
                .hasMessageContaining("/replicaCount")
                .hasMessageContaining("want integer");
        assertThatThrownBy(() -> HelmChart.withDefaults().values("watchNamespaces: team-a\n").yaml())
                .hasMessageContaining("/watchNamespaces")
                .hasMessageContaining("want array");
        assertThatThrownBy(() -> HelmChart.withDefaults().values("watchAllNamespaces: \"yes\"\n").yaml())
                .hasMessageContaining("/watchAllNamespaces")
                .hasMessageContaining("want boolean");
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> HelmChart.withDefaults().set("replicaCount", 0).yaml())
                .hasMessageContaining("/replicaCount");
        assertThatThrownBy(() -> HelmChart.withDefaults().values("watchNamespaces: [Team_A]\n").yaml())
                .hasMessageContaining("/watchNamespaces/0");
        assertThatThrownBy(() -> HelmChart.withDefaults().set("image.pullPolicy", "Sometimes").yaml())
                .hasMessageContaining("/image/pullPolicy");
        assertThatThrownBy(() -> HelmChart.withDefaults().set("api.replicaCount", 0).yaml())
                .hasMessageContaining("/api/replicaCount");
        assertThatThrownBy(() -> HelmChart.withDefaults().set("api.serviceAccount.create", "no").yaml())
                .hasMessageContaining("/api/serviceAccount/create");
    }

    @Test
    void everyObjectOfTheSchemaForbidsUnknownKeysAndEveryKeyIsDescribed() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        List<String> problems = new ArrayList<>();

        checkSchema("", schema, problems);

        assertThat(problems).isEmpty();
    }

    private static void checkSchema(String path, JsonNode node, List<String> problems) {
        if (node.has("properties")) {
            if (!node.path("additionalProperties").isBoolean() || node.path("additionalProperties").asBoolean()) {
                problems.add(path + ": additionalProperties must be false");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.get("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                String child = path + "." + property.getKey();
                if (property.getValue().path("description").asText().isBlank()) {
                    problems.add(child + ": no description");
                }
                checkSchema(child, property.getValue(), problems);
            }
        } else if ("object".equals(node.path("type").asText())) {
            // Free-form maps (labels, annotations, node selector) only: strings to strings.
            if (!"string".equals(node.path("additionalProperties").path("type").asText())) {
                problems.add(path + ": an object without properties must be a map of strings");
            }
        }
        if (node.has("items")) {
            checkSchema(path + "[]", node.get("items"), problems);
        }
    }

    @Test
    void everyValueIsCommentedAndInTheSchema() throws IOException {
        List<String> lines = Files.readAllLines(VALUES);
        JsonNode values = new YAMLMapper().readTree(VALUES.toFile());
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        List<String> problems = new ArrayList<>();

        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("^\\s*[A-Za-z][A-Za-z0-9]*:.*") && (i == 0 || !lines.get(i - 1).stripLeading().startsWith("#"))) {
                problems.add("values.yaml line " + (i + 1) + " has no comment above it: " + line.strip());
            }
        }
        checkValues("", values, schema, problems);

        assertThat(problems).isEmpty();
    }

    private static void checkValues(String path, JsonNode values, JsonNode schema, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> value = it.next();
            String child = path + "." + value.getKey();
            JsonNode property = schema.path("properties").path(value.getKey());
            if (property.isMissingNode()) {
                if (!schema.path("additionalProperties").isObject()) {
                    problems.add(child + " is not in values.schema.json");
                }
                continue;
            }
            if (value.getValue().isObject()) {
                checkValues(child, value.getValue(), property, problems);
            }
        }
    }
}
