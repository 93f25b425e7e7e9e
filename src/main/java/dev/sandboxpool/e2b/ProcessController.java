package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.sandbox.CommandInfo;
import dev.sandboxpool.sandbox.CommandProgress;
import dev.sandboxpool.sandbox.CommandSpec;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import jakarta.inject.Named;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * envd's {@code process.Process} service over a lease's commands: {@code Start} and {@code Connect} stream a start
 * event (the pid), data events (stdout, stderr, base64 in JSON) as the command prints, and an end event with the exit
 * code; {@code List}, {@code SendInput}, {@code CloseStdin} and {@code SendSignal} are unary. Terminals ({@code pty},
 * {@code Update}) and client-streamed input ({@code StreamInput}) are not offered.
 */
@Controller("/e2b/process.Process")
@Consumes({Connect.UNARY_JSON, Connect.STREAM_JSON})
public class ProcessController {
    private final SandboxPlane plane;

    private final Executor blocking;

    public ProcessController(SandboxPlane plane, @Named(TaskExecutors.BLOCKING) Executor blocking) {
        this.plane = plane;
        this.blocking = blocking;
    }

    @Post("/Start")
    public HttpResponse<Publisher<byte[]>> start(HttpRequest<?> request, @Nullable @Body byte[] body) {
        requireStream(request);
        String id = plane.sandboxId(request);
        JsonNode message = Connect.singleMessage(body);
        if (message.hasNonNull("pty")) {
            throw new Connect.RpcException(Connect.Code.UNIMPLEMENTED, "terminals (pty) are not supported by "
                    + "sandbox-pool");
        }
        JsonNode process = message.path("process");
        String cmd = process.path("cmd").asText("");
        if (cmd.isEmpty()) {
            throw Connect.invalid("process.cmd is required");
        }
        List<String> argv = new ArrayList<>();
        argv.add(cmd);
        process.path("args").forEach(a -> argv.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        plane.sandboxes().details(id).ifPresent(d -> env.putAll(d.envs()));
        process.path("envs").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        String cwd = process.hasNonNull("cwd") ? SandboxPlane.toSandbox(process.get("cwd").asText()) : null;
        boolean stdin = message.path("stdin").asBoolean(false);
        String tag = message.hasNonNull("tag") ? message.get("tag").asText() : null;
        Pool pool = plane.pool(id);
        CommandSpec spec = new CommandSpec(argv, env, cwd, null, stdin, pool.settings().maxTimeout(), tag);
        return stream(id, ops -> ops.startCommand(spec).pid());
    }

    @Post("/Connect")
    public HttpResponse<Publisher<byte[]>> connect(HttpRequest<?> request, @Nullable @Body byte[] body) {
        requireStream(request);
        String id = plane.sandboxId(request);
        JsonNode selector = Connect.singleMessage(body).path("process");
        return stream(id, ops -> pid(ops, selector));
    }

    @Post("/List")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<byte[]> list(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        Connect.parse(body);
        ArrayNode processes = Connect.mapper().createArrayNode();
        plane.rpc(id, ops -> {
            for (CommandInfo c : ops.listCommands()) {
                if (c.running()) {
                    processes.add(info(c));
                }
            }
            return null;
        });
        ObjectNode out = Connect.object();
        out.set("processes", processes);
        return unary(out);
    }

    @Post("/SendInput")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<byte[]> sendInput(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        JsonNode message = Connect.parse(body);
        JsonNode input = message.path("input");
        if (input.hasNonNull("pty")) {
            throw new Connect.RpcException(Connect.Code.UNIMPLEMENTED, "terminals (pty) are not supported");
        }
        byte[] data = base64(input.path("stdin").asText(""), "input.stdin");
        plane.rpc(id, ops -> {
            ops.sendInput(pid(ops, message.path("process")), data);
            return null;
        });
        return unary(Connect.object());
    }

    @Post("/CloseStdin")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<byte[]> closeStdin(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        JsonNode message = Connect.parse(body);
        plane.rpc(id, ops -> {
            ops.closeInput(pid(ops, message.path("process")));
            return null;
        });
        return unary(Connect.object());
    }

    @Post("/SendSignal")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<byte[]> sendSignal(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        JsonNode message = Connect.parse(body);
        int signal = signal(message.path("signal"));
        plane.rpc(id, ops -> {
            ops.signal(pid(ops, message.path("process")), signal);
            return null;
        });
        return unary(Connect.object());
    }

    @Post("/Update")
    public HttpResponse<byte[]> update() {
        throw new Connect.RpcException(Connect.Code.UNIMPLEMENTED, "terminals (pty) are not supported by "
                + "sandbox-pool");
    }

    @Post("/StreamInput")
    public HttpResponse<byte[]> streamInput() {
        throw new Connect.RpcException(Connect.Code.UNIMPLEMENTED, "streamed stdin is not supported by "
                + "sandbox-pool: use SendInput (commands.send_stdin)");
    }

    /** SIGKILL or SIGTERM, as the proto's enum names them (or by number). */
    static int signal(JsonNode signal) {
        if (signal.isInt()) {
            int n = signal.asInt();
            if (n == 9 || n == 15) {
                return n;
            }
        }
        return switch (signal.asText("")) {
            case "SIGNAL_SIGKILL" -> 9;
            case "SIGNAL_SIGTERM" -> 15;
            default -> throw Connect.invalid("signal: SIGNAL_SIGKILL or SIGNAL_SIGTERM, got " + signal);
        };
    }

    /** A selector by pid, or by the tag given at start. */
    private static int pid(SandboxOps ops, JsonNode selector) {
        if (selector.hasNonNull("pid")) {
            return selector.get("pid").asInt();
        }
        if (selector.hasNonNull("tag")) {
            String tag = selector.get("tag").asText();
            return ops.listCommands().stream().filter(c -> tag.equals(c.tag())).map(CommandInfo::pid).findFirst()
                    .orElseThrow(() -> new Connect.RpcException(Connect.Code.NOT_FOUND, "no process tagged " + tag));
        }
        throw Connect.invalid("process: a pid or a tag is required");
    }

    private static ObjectNode info(CommandInfo c) {
        ObjectNode out = Connect.object();
        ObjectNode config = out.putObject("config");
        config.put("cmd", c.argv().isEmpty() ? "" : c.argv().get(0));
        ArrayNode args = config.putArray("args");
        c.argv().stream().skip(1).forEach(args::add);
        config.putObject("envs");
        if (c.cwd() != null) {
            config.put("cwd", SandboxPlane.toE2b(c.cwd()));
        }
        out.put("pid", c.pid());
        if (c.tag() != null) {
            out.put("tag", c.tag());
        }
        return out;
    }

    private interface Starter {
        int pid(SandboxOps ops);
    }

    /**
     * The event stream of a command: start, its output as it arrives (long-polled, at most {@link
     * SandboxOps#MAX_READ_WAIT} a read), end. A client that goes away stops the reading, not the command (a
     * background command outlives the stream that started it, as in E2B).
     */
    private HttpResponse<Publisher<byte[]>> stream(String id, Starter starter) {
        // On the blocking executor, not in a subscribeOn task: the client's hang-up cancels the subscription, and
        // cancelling such a task interrupts its thread, whose interrupted read of the runner would close the
        // runner's session and cost the member. Here the reading sees the cancelled sink and stops.
        Flux<byte[]> events = Flux.<byte[]>create(sink -> blocking.execute(() -> {
            try {
                SandboxOps ops = plane.ops(id);
                int pid = starter.pid(ops);
                sink.next(Connect.envelope(event("start", Connect.object().put("pid", pid))));
                follow(ops, pid, sink);
            } catch (RuntimeException e) {
                RuntimeException r = SandboxPlane.rpc(e, id);
                sink.next(Connect.endOfStream(r instanceof Connect.RpcException x ? x
                        : new Connect.RpcException(Connect.Code.INTERNAL, String.valueOf(r.getMessage()))));
            }
            sink.complete();
        }));
        return HttpResponse.<Publisher<byte[]>>ok(events).contentType(MediaType.of(Connect.STREAM_JSON));
    }

    private static void follow(SandboxOps ops, int pid, FluxSink<byte[]> sink) {
        long out = 0;
        long err = 0;
        while (!sink.isCancelled()) {
            CommandProgress p = ops.readCommand(pid, out, err, SandboxOps.MAX_READ_WAIT);
            if (p.stdout().length > 0) {
                sink.next(Connect.envelope(event("data", Connect.object().put("stdout",
                        Base64.getEncoder().encodeToString(p.stdout())))));
            }
            if (p.stderr().length > 0) {
                sink.next(Connect.envelope(event("data", Connect.object().put("stderr",
                        Base64.getEncoder().encodeToString(p.stderr())))));
            }
            out = p.stdoutOffset();
            err = p.stderrOffset();
            if (p.exited()) {
                int code = p.exitCode() == null ? -1 : p.exitCode();
                ObjectNode end = Connect.object().put("exitCode", code).put("exited", true)
                        .put("status", code > 128 ? "signal: " + (code - 128) : "exit status " + code);
                if (p.timedOut()) {
                    end.put("error", "the command passed the pool's time limit and was killed");
                }
                sink.next(Connect.envelope(event("end", end)));
                sink.next(Connect.endOfStream(null));
                return;
            }
            if (p.stdout().length == 0 && p.stderr().length == 0) {
                sink.next(Connect.envelope(event("keepalive", Connect.object())));
            }
        }
    }

    private static ObjectNode event(String kind, ObjectNode value) {
        ObjectNode out = Connect.object();
        out.putObject("event").set(kind, value);
        return out;
    }

    private static void requireStream(HttpRequest<?> request) {
        if (!E2bAuthFilter.isType(request, MediaType.of(Connect.STREAM_JSON))) {
            throw new Connect.RpcException(Connect.Code.INVALID_ARGUMENT, "a streaming call is sent as "
                    + Connect.STREAM_JSON);
        }
    }

    static HttpResponse<byte[]> unary(JsonNode message) {
        return HttpResponse.ok(Connect.write(message)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    static byte[] base64(String text, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw Connect.invalid(field + ": not base64");
        }
    }
}
