package dev.sandboxpool.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.execution.RunnerProtocol;
import dev.sandboxpool.execution.SandboxScripts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@link SandboxOps} over the runner's protocol: each call one request on the lease's {@link LeaseChannel}. The same
 * in both modes; what differs is how the channel reaches the member. The answers come from a sandbox that runs the
 * lease's code, so every field is read defensively: a missing or odd one is a default, never an exception that could
 * pass for the caller's mistake.
 */
public final class RunnerSandboxOps implements SandboxOps {
    /** Largest file moved in one call: base64 in a JSON line must stay far below the runner channel's line bound. */
    public static final long MAX_TRANSFER_BYTES = 32L << 20;
    /** Most entries one listing returns. */
    public static final int MAX_ENTRIES = 10_000;
    /** A file operation is a fork and a few system calls; a full tmpfs or a deep tree to remove takes longer. */
    private static final Duration FILE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUICK = Duration.ofSeconds(10);

    private final LeaseChannel channel;
    private final long maxOutputBytes;
    private final Duration maxTimeout;

    public RunnerSandboxOps(LeaseChannel channel, long maxOutputBytes, Duration maxTimeout) {
        this.channel = channel;
        this.maxOutputBytes = maxOutputBytes;
        this.maxTimeout = maxTimeout;
    }

    // ---- files ---------------------------------------------------------------------------------------------------

    @Override
    public byte[] readFile(String path, long maxBytes) {
        Map<String, Object> r = file("read", path);
        r.put("maxBytes", Math.min(maxBytes, MAX_TRANSFER_BYTES));
        return decode(ok(call(r, FILE_TIMEOUT, null), "path").asText(""));
    }

    @Override
    public FileEntry writeFile(String path, byte[] content) {
        if (content.length > MAX_TRANSFER_BYTES) {
            throw new SandboxOpException(SandboxOpException.Kind.TOO_LARGE, "content", "is " + content.length
                    + " bytes, more than " + MAX_TRANSFER_BYTES + " in one call");
        }
        Map<String, Object> r = file("write", path);
        r.put("content", Base64.getEncoder().encodeToString(content));
        return entry(ok(call(r, FILE_TIMEOUT, null), "path"));
    }

    @Override
    public List<FileEntry> listDir(String path, int depth) {
        Map<String, Object> r = file("list", path);
        r.put("depth", Math.max(1, depth));
        r.put("maxEntries", MAX_ENTRIES);
        List<FileEntry> entries = new ArrayList<>();
        ok(call(r, FILE_TIMEOUT, null), "path").forEach(e -> entries.add(entry(e)));
        return entries;
    }

    @Override
    public FileEntry stat(String path) {
        return entry(ok(call(file("stat", path), FILE_TIMEOUT, null), "path"));
    }

    @Override
    public FileEntry makeDir(String path) {
        return entry(ok(call(file("makeDir", path), FILE_TIMEOUT, null), "path"));
    }

    @Override
    public void remove(String path) {
        ok(call(file("remove", path), FILE_TIMEOUT, null), "path");
    }

    @Override
    public FileEntry rename(String from, String to) {
        Map<String, Object> r = file("rename", from);
        r.put("to", to);
        return entry(ok(call(r, FILE_TIMEOUT, null), "path"));
    }

    private static Map<String, Object> file(String op, String path) {
        Map<String, Object> r = RunnerProtocol.request("file");
        r.put("fileOp", op);
        r.put("path", path);
        r.put("roots", SandboxScripts.WRITABLE_DIRS);
        return r;
    }

    // ---- commands ------------------------------------------------------------------------------------------------

    @Override
    public CommandInfo startCommand(CommandSpec spec) {
        if (spec.argv().isEmpty()) {
            throw new SandboxOpException(SandboxOpException.Kind.INVALID, "argv", "must name a program");
        }
        Map<String, Object> r = RunnerProtocol.request("command.start");
        r.put("argv", spec.argv());
        r.put("env", spec.env());
        r.put("workdir", workdir(spec.cwd()));
        r.put("stdinBase64", Base64.getEncoder().encodeToString(spec.stdin()));
        r.put("keepStdinOpen", spec.keepStdinOpen());
        r.put("timeoutSeconds", limited(spec.timeout()).toMillis() / 1000.0);
        r.put("maxOutputBytes", maxOutputBytes);
        r.put("tag", spec.tag());
        return command(ok(call(r, QUICK, null), "argv"));
    }

    @Override
    public CommandProgress readCommand(int pid, long stdoutOffset, long stderrOffset, Duration maxWait) {
        Duration wait = maxWait.compareTo(MAX_READ_WAIT) > 0 ? MAX_READ_WAIT : maxWait.isNegative() ? Duration.ZERO
                : maxWait;
        Map<String, Object> r = RunnerProtocol.request("command.read");
        r.put("pid", pid);
        r.put("stdoutOffset", Math.max(0, stdoutOffset));
        r.put("stderrOffset", Math.max(0, stderrOffset));
        r.put("waitSeconds", wait.toMillis() / 1000.0);
        JsonNode p = ok(call(r, QUICK.plus(wait), null), "pid");
        return new CommandProgress(decode(p.path("stdout").asText("")), decode(p.path("stderr").asText("")),
                p.path("stdoutOffset").asLong(stdoutOffset), p.path("stderrOffset").asLong(stderrOffset),
                p.path("exited").asBoolean(), p.hasNonNull("exitCode") ? p.get("exitCode").asInt() : null,
                p.path("timedOut").asBoolean(), p.path("lost").asBoolean());
    }

    @Override
    public void sendInput(int pid, byte[] data) {
        Map<String, Object> r = RunnerProtocol.request("command.input");
        r.put("pid", pid);
        r.put("dataBase64", Base64.getEncoder().encodeToString(data));
        ok(call(r, QUICK, null), "pid");
    }

    @Override
    public void closeInput(int pid) {
        Map<String, Object> r = RunnerProtocol.request("command.closeInput");
        r.put("pid", pid);
        ok(call(r, QUICK, null), "pid");
    }

    @Override
    public void signal(int pid, int signal) {
        if (signal < 1 || signal > 64) {
            throw new SandboxOpException(SandboxOpException.Kind.INVALID, "signal", "must be a Linux signal number"
                    + " from 1 to 64");
        }
        Map<String, Object> r = RunnerProtocol.request("command.signal");
        r.put("pid", pid);
        r.put("signal", signal);
        ok(call(r, QUICK, null), "pid");
    }

    @Override
    public List<CommandInfo> listCommands() {
        List<CommandInfo> found = new ArrayList<>();
        ok(call(RunnerProtocol.request("command.list"), QUICK, null), "pid").forEach(c -> found.add(command(c)));
        return found;
    }

    // ---- contexts ------------------------------------------------------------------------------------------------

    @Override
    public ContextInfo createContext(String cwd) {
        Map<String, Object> r = RunnerProtocol.request("context.create");
        r.put("id", UUID.randomUUID().toString());
        r.put("workdir", workdir(cwd));
        return context(ok(call(r, QUICK, null), "cwd"));
    }

    @Override
    public ContextRun runInContext(String contextId, String code, Duration timeout, OutputListener output,
            Cancellation cancellation) {
        Duration limit = limited(timeout);
        Map<String, Object> r = RunnerProtocol.request("context.run");
        r.put("id", contextId);
        r.put("code", code);
        r.put("timeoutSeconds", limit.toMillis() / 1000.0);
        r.put("maxOutputBytes", maxOutputBytes);
        r.put("stream", true);
        String nonce = (String) r.get("nonce");
        JsonNode run;
        try (Cancellation.Registration ignored = cancellation.onCancel(() -> channel.cancel(nonce))) {
            run = ok(call(r, limit.plus(RunnerProtocol.GRACE), event -> OutputListener.deliver(event, output)),
                    "contextId");
        }
        List<ContextRun.Result> results = new ArrayList<>();
        for (JsonNode result : run.path("results")) {
            Map<String, String> data = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = result.path("data").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                data.put(e.getKey(), e.getValue().asText());
            }
            results.add(new ContextRun.Result(data, result.path("isMain").asBoolean()));
        }
        JsonNode error = run.path("error");
        ContextRun.ContextError err = error.isObject() ? new ContextRun.ContextError(error.path("name").asText(),
                error.path("value").asText(), error.path("traceback").asText()) : null;
        return new ContextRun(run.path("stdout").asText(""), run.path("stderr").asText(""), results, err,
                run.path("executionCount").asInt(), run.path("timedOut").asBoolean(),
                run.path("truncated").asBoolean(), run.path("contextLost").asBoolean(),
                run.path("cancelled").asBoolean(), run.path("durationMs").asLong());
    }

    @Override
    public ContextInfo restartContext(String contextId) {
        Map<String, Object> r = RunnerProtocol.request("context.restart");
        r.put("id", contextId);
        return context(ok(call(r, QUICK, null), "contextId"));
    }

    @Override
    public void deleteContext(String contextId) {
        Map<String, Object> r = RunnerProtocol.request("context.delete");
        r.put("id", contextId);
        ok(call(r, QUICK, null), "contextId");
    }

    @Override
    public List<ContextInfo> listContexts() {
        List<ContextInfo> found = new ArrayList<>();
        ok(call(RunnerProtocol.request("context.list"), QUICK, null), "contextId").forEach(c -> found.add(context(c)));
        return found;
    }

    // ---- answers -------------------------------------------------------------------------------------------------

    private JsonNode call(Map<String, Object> request, Duration deadline, Consumer<JsonNode> events) {
        return channel.call(request, deadline, events == null ? e -> { } : events);
    }

    /** The answer's value; the caller's mistake as a {@link SandboxOpException} about {@code field}. */
    private static JsonNode ok(JsonNode answer, String field) {
        if (answer.has("ok")) {
            return answer.get("ok");
        }
        JsonNode problem = answer.path("fileError");
        if (problem.isObject()) {
            SandboxOpException.Kind kind;
            try {
                kind = SandboxOpException.Kind.valueOf(problem.path("kind").asText());
            } catch (IllegalArgumentException e) {
                kind = SandboxOpException.Kind.INVALID;
            }
            throw new SandboxOpException(kind, field, problem.path("message").asText("failed"));
        }
        throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, field, "the sandbox failed: "
                + RunnerProtocol.abbreviate(answer.path("error").asText(answer.toString())));
    }

    private Duration limited(Duration timeout) {
        return timeout == null || timeout.compareTo(maxTimeout) > 0 ? maxTimeout : timeout;
    }

    private static String workdir(String cwd) {
        if (cwd == null || cwd.isEmpty()) {
            return SandboxScripts.WORKDIR;
        }
        return cwd.startsWith("/") ? cwd : SandboxScripts.WORKDIR + "/" + cwd;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new SandboxOpException(SandboxOpException.Kind.SANDBOX_FAILED, "content", "the sandbox sent"
                    + " unreadable content");
        }
    }

    private static FileEntry entry(JsonNode e) {
        FileEntry.Type type;
        try {
            type = FileEntry.Type.valueOf(e.path("type").asText());
        } catch (IllegalArgumentException ignored) {
            type = FileEntry.Type.OTHER;
        }
        return new FileEntry(e.path("name").asText(), e.path("path").asText(), type, e.path("size").asLong(),
                e.path("mode").asInt(), Instant.ofEpochMilli(e.path("modifiedMs").asLong()),
                e.hasNonNull("symlinkTarget") ? e.get("symlinkTarget").asText() : null);
    }

    private static CommandInfo command(JsonNode c) {
        List<String> argv = new ArrayList<>();
        c.path("argv").forEach(a -> argv.add(a.asText()));
        return new CommandInfo(c.path("pid").asInt(), argv, c.path("cwd").asText(), c.hasNonNull("tag")
                ? c.get("tag").asText() : null, c.path("running").asBoolean(), c.hasNonNull("exitCode")
                ? c.get("exitCode").asInt() : null);
    }

    private static ContextInfo context(JsonNode c) {
        return new ContextInfo(c.path("id").asText(), c.path("language").asText("python"), c.path("cwd").asText());
    }
}
