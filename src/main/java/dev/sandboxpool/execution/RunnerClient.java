package dev.sandboxpool.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.SandboxBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one execution through the in-sandbox runner ({@code runner.py}): sends the framed request, reads the one
 * result line that carries this request's nonce. Time and output limits are enforced inside the sandbox by the
 * runner; the backend's own deadline is a backstop for a runner that stops answering.
 */
public final class RunnerClient {
    /** Time the runner may take beyond the execution's own limit (interpreter start, kill, reporting). */
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunnerClient() {
    }

    /** The outcome, and whether the sandbox is left in a state that must not be reused. */
    public record Outcome(ExecutionResult result, boolean damaged) {
    }

    public static Outcome run(SandboxBackend backend, String sandboxId, ExecutionRequest request, long maxOutputBytes) {
        byte[] nonceBytes = new byte[12];
        RANDOM.nextBytes(nonceBytes);
        String nonce = HexFormat.of().formatHex(nonceBytes);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nonce", nonce);
        body.put("code", request.code());
        body.put("stdin", request.stdin());
        body.put("env", request.env());
        body.put("files", request.files());
        body.put("workdir", SandboxScripts.WORKDIR);
        body.put("timeoutSeconds", request.timeout().toMillis() / 1000.0);
        body.put("maxOutputBytes", maxOutputBytes);
        byte[] frame;
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            byte[] header = (json.length + "\n").getBytes(StandardCharsets.US_ASCII);
            frame = new byte[header.length + json.length];
            System.arraycopy(header, 0, frame, 0, header.length);
            System.arraycopy(json, 0, frame, header.length, json.length);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an execution request", e);
        }
        // JSON escaping can grow output up to 6x (\\u0000); the rest is room for the envelope.
        long capture = maxOutputBytes * 2 * 6 + 65_536;
        long started = System.nanoTime();
        ExecOutput out = backend.exec(sandboxId, new ExecCall(SandboxScripts.runnerCommand(), frame,
                request.timeout().plus(GRACE), capture));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        if (out.timedOut()) {
            return new Outcome(ExecutionResult.sandboxFailed("the sandbox did not answer within the time limit",
                    elapsedMs, true), true);
        }
        String prefix = nonce + " ";
        for (String line : out.stdoutText().split("\n")) {
            if (line.startsWith(prefix)) {
                return parse(line.substring(prefix.length()), elapsedMs);
            }
        }
        String why = out.overflowed() ? "the runner's answer exceeded its bound"
                : "the runner ended without a result (exit " + out.exitCode() + "): " + tail(out.stderrText());
        return new Outcome(ExecutionResult.sandboxFailed(why, elapsedMs, false), true);
    }

    private static Outcome parse(String json, long elapsedMs) {
        try {
            JsonNode r = JSON.readTree(json);
            if (r.hasNonNull("error")) {
                return new Outcome(ExecutionResult.sandboxFailed("the runner failed: " + r.get("error").asText(),
                        elapsedMs, false), true);
            }
            return new Outcome(new ExecutionResult(r.path("stdout").asText(), r.path("stderr").asText(),
                    r.path("exitCode").asInt(-1), r.path("timedOut").asBoolean(), r.path("truncated").asBoolean(),
                    r.path("durationMs").asLong(elapsedMs), null), false);
        } catch (IOException e) {
            return new Outcome(ExecutionResult.sandboxFailed("unreadable runner result: " + e.getMessage(),
                    elapsedMs, false), true);
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 500 ? t : "..." + t.substring(t.length() - 500);
    }
}
