package dev.sandboxpool.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The framing both runner channels speak (see {@code runner.py}): a length line and a JSON request in; one line
 * out, the request's nonce then the JSON answer. The nonce is random per request, so nothing user code prints can
 * pass for an answer.
 */
public final class RunnerProtocol {
    /*
     * How long this side waits for a runner beyond what the request itself may take (issue 13 item 9). These
     * deadlines are a backstop for a runner that cannot answer at all (stopped, or wedged in the kernel); they are
     * never what ends user code: the runner enforces the execution's limit itself, with a timer and RLIMIT_CPU, and
     * answers within milliseconds of it. A runner whose sandbox is lost (killed, paused, removed) does not hold its
     * member until these pass either: the pool's sync (every 2 s) finds the sandbox gone and closing the session
     * fails the waiting request at once. What is left is a runner stopped inside a running sandbox, which only the
     * host can do (user code cannot signal the runner: docs/isolation.md).
     */
    /**
     * Time the runner may take beyond the execution's own limit: killing the child's processes, the wait status
     * through the zygote, up to maxOutputBytes of output, on a host whose two cores may both be busy. Shorter risks
     * taking a slow answer for a dead runner, which costs the member.
     */
    public static final Duration GRACE = Duration.ofSeconds(5);
    /**
     * A clean-up: stop and kill every process (up to 50 rounds of 20 ms), remove IPC objects, empty the writable
     * dirs (a tmpfs full of small files or a deep tree takes seconds), verify. Past it the member is not reused.
     */
    static final Duration CLEAN_TIMEOUT = Duration.ofSeconds(15);
    /** A ping is one round trip of a few bytes: an idle runner answers in well under a millisecond. */
    static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunnerProtocol() {
    }

    public static Map<String, Object> request(String op) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nonce", HexFormat.of().formatHex(nonce));
        body.put("op", op);
        return body;
    }

    static Map<String, Object> run(ExecutionRequest r, long maxOutputBytes) {
        Map<String, Object> body = request("run");
        body.put("code", r.code());
        body.put("stdin", r.stdin());
        body.put("env", r.env());
        body.put("files", r.files());
        body.put("workdir", SandboxScripts.WORKDIR);
        body.put("timeoutSeconds", r.timeout().toMillis() / 1000.0);
        body.put("maxOutputBytes", maxOutputBytes);
        return body;
    }

    /**
     * A command run like an execution (fresh process, same limits and capture): how probes run. It runs in "/", with
     * HOME there too: nothing a lease left in the work dir (modules, a user site) runs in a probe.
     */
    static Map<String, Object> command(List<String> argv, Duration timeout, long maxOutputBytes) {
        Map<String, Object> body = request("run");
        body.put("argv", argv);
        body.put("workdir", "/");
        body.put("timeoutSeconds", timeout.toMillis() / 1000.0);
        body.put("maxOutputBytes", maxOutputBytes);
        return body;
    }

    /** Why a probe's result is not healthy, or null when it is. */
    static String probeFailure(Integer exitCode, boolean timedOut, String stdout, String stderr, String expect,
            Duration timeout) {
        if (timedOut) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (exitCode == null || exitCode != 0 || !stdout.contains(expect)) {
            return "exit " + exitCode + ", output " + abbreviate(stdout + stderr);
        }
        return null;
    }

    /** On one line and at most 200 characters: for messages and logs that quote what a sandbox printed. */
    public static String abbreviate(String s) {
        String t = s.strip().replace('\n', ' ');
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }

    /** Stops the request with nonce {@code target}; never answered (see runner.py's Requests). */
    static Map<String, Object> cancel(String target) {
        Map<String, Object> body = request("cancel");
        body.put("target", target);
        return body;
    }

    static Map<String, Object> clean() {
        Map<String, Object> body = request("clean");
        body.put("dirs", SandboxScripts.WRITABLE_DIRS);
        return body;
    }

    /** A run the runner follows with a clean-up before it answers: one round trip for a one-shot execution. */
    static Map<String, Object> runAndClean(ExecutionRequest r, long maxOutputBytes) {
        Map<String, Object> body = run(r, maxOutputBytes);
        body.put("cleanAfter", SandboxScripts.WRITABLE_DIRS);
        return body;
    }

    /** Largest answer line a run may produce: JSON escaping grows output up to 6x, plus the envelope. */
    static long answerBound(long maxOutputBytes) {
        return maxOutputBytes * 2 * 6 + 65_536;
    }

    static byte[] frame(Map<String, Object> body) {
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            byte[] header = (json.length + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[header.length + json.length];
            System.arraycopy(header, 0, frame, 0, header.length);
            System.arraycopy(json, 0, frame, header.length, json.length);
            return frame;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a runner request", e);
        }
    }

    static String nonce(Map<String, Object> body) {
        return (String) body.get("nonce");
    }

    /** The answer carried by the line of {@code output} that starts with the nonce, or null. */
    static String answerIn(String output, String nonce) {
        String prefix = nonce + " ";
        for (String line : output.split("\n")) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        return null;
    }

    /**
     * @throws RequestRejectedException when the sandbox could not honour the request (its files); nothing ran
     */
    static RunnerOutcome toOutcome(String answer, long elapsedMs) {
        try {
            JsonNode r = JSON.readTree(answer);
            if (r.hasNonNull("error")) {
                return failed("the runner failed: " + r.get("error").asText(), elapsedMs, false);
            }
            if (r.hasNonNull("rejected")) {
                throw new RequestRejectedException(r.get("rejected").path("field").asText(),
                        r.get("rejected").path("reason").asText());
            }
            return new RunnerOutcome(new ExecutionResult(r.path("stdout").asText(), r.path("stderr").asText(),
                    r.path("exitCode").asInt(-1), r.path("timedOut").asBoolean(), r.path("truncated").asBoolean(),
                    r.path("durationMs").asLong(elapsedMs), null), false, r.path("cleaned").asBoolean());
        } catch (IOException e) {
            return failed("unreadable runner answer: " + e.getMessage(), elapsedMs, false);
        }
    }

    /** The failure a clean or ping answer reports, or null when it succeeded. */
    static String failureOf(String answer, String successField) {
        try {
            JsonNode r = JSON.readTree(answer);
            if (r.path(successField).asBoolean()) {
                return null;
            }
            return r.hasNonNull("error") ? r.get("error").asText() : "unexpected answer " + answer;
        } catch (IOException e) {
            return "unreadable runner answer: " + e.getMessage();
        }
    }

    static RunnerOutcome failed(String why, long elapsedMs, boolean timedOut) {
        return new RunnerOutcome(ExecutionResult.sandboxFailed(why, elapsedMs, timedOut), true);
    }
}
