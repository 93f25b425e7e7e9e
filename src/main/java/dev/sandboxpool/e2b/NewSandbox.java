package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of E2B's create call, as far as a lease can honour it. Asking for what it cannot (auto-pause, volumes,
 * network rules, MCP servers) is refused rather than ignored: a caller relying on them must learn they are absent.
 */
record NewSandbox(String template, Long timeout, Map<String, String> metadata, Map<String, String> envs) {

    static NewSandbox of(JsonNode body) {
        JsonNode template = body.get("templateID");
        if (template == null || !template.isTextual() || template.asText().isBlank()) {
            throw E2bException.badRequest("templateID: the template (the name of a pool) is required");
        }
        JsonNode timeout = body.get("timeout");
        if (timeout != null && !timeout.isNull() && (!timeout.canConvertToLong() || timeout.asLong() < 0)) {
            throw E2bException.badRequest("timeout: a number of seconds, 0 or more");
        }
        if (body.path("autoPause").asBoolean(false)) {
            throw E2bException.unsupported("autoPause (pausing a sandbox)");
        }
        if (body.path("autoResume").path("enabled").asBoolean(false)) {
            throw E2bException.unsupported("autoResume (resuming a paused sandbox)");
        }
        if (body.path("volumeMounts").size() > 0) {
            throw E2bException.unsupported("volumeMounts (volumes)");
        }
        if (body.hasNonNull("mcp")) {
            throw E2bException.unsupported("mcp (MCP servers in the sandbox)");
        }
        JsonNode network = body.path("network");
        for (String rule : new String[] {"allowOut", "denyOut", "rules", "allow", "deny", "egress"}) {
            if (network.path(rule).size() > 0) {
                throw E2bException.unsupported("network." + rule + " (network rules: the pool's spec decides "
                        + "the network)");
            }
        }
        return new NewSandbox(template.asText(),
                timeout == null || timeout.isNull() ? null : timeout.asLong(),
                strings(body.get("metadata"), "metadata"), strings(body.get("envVars"), "envVars"));
    }

    private static Map<String, String> strings(JsonNode node, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw E2bException.badRequest(field + ": an object of strings");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw E2bException.badRequest(field + "." + e.getKey() + ": must be a string");
            }
            if (e.getKey().indexOf('\0') >= 0 || e.getValue().asText().indexOf('\0') >= 0) {
                throw E2bException.badRequest(field + "." + e.getKey() + ": no NUL allowed");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }
}
