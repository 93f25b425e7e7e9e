package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.sandbox.ContextInfo;
import dev.sandboxpool.sandbox.ContextRun;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import jakarta.inject.Named;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The code interpreter (port 49999) over a lease's Python contexts: {@code POST /execute} runs code and answers
 * NDJSON, a line per event as it happens ({@code stdout}, {@code stderr}, {@code result}, {@code error},
 * {@code number_of_executions}); {@code /contexts} creates, lists, restarts and deletes contexts. Code without a
 * context runs in the sandbox's default one, made at its first use, so two such runs share their variables as they do
 * in E2B.
 */
@Controller("/e2b")
@Consumes(MediaType.APPLICATION_JSON)
public class InterpreterController {
    /** MIME types of a result and the field E2B gives each. */
    static final Map<String, String> FIELDS = Map.ofEntries(Map.entry("text/plain", "text"),
            Map.entry("text/html", "html"), Map.entry("text/markdown", "markdown"), Map.entry("image/svg+xml", "svg"),
            Map.entry("image/png", "png"), Map.entry("image/jpeg", "jpeg"), Map.entry("application/pdf", "pdf"),
            Map.entry("text/latex", "latex"), Map.entry("application/json", "json"),
            Map.entry("application/javascript", "javascript"));

    private final SandboxPlane plane;
    private final Map<String, String> defaultContexts = new ConcurrentHashMap<>();

    private final Executor blocking;

    public InterpreterController(SandboxPlane plane, @Named(TaskExecutors.BLOCKING) Executor blocking) {
        this.plane = plane;
        this.blocking = blocking;
    }

    @Post("/execute")
    // the answer is NDJSON; a client that says so in Accept must not get 406
    @Produces({"application/x-ndjson", MediaType.APPLICATION_JSON})
    public HttpResponse<Publisher<byte[]>> execute(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        JsonNode message = ControlPlaneController.object(body);
        String code = message.path("code").asText(null);
        if (code == null) {
            throw E2bException.badRequest("code is required");
        }
        python(message.path("language"));
        if (message.path("env_vars").size() > 0) {
            throw E2bException.unsupported("env_vars for one run_code (set envs at Sandbox.create, or os.environ in "
                    + "the code)");
        }
        String contextId = message.hasNonNull("context_id") ? message.get("context_id").asText() : null;
        // The run goes on the blocking executor, not in a subscribeOn task: a client's hang-up cancels the
        // subscription, and cancelling such a task interrupts its thread, whose interrupted wait for the runner
        // then closes the runner's session and costs the member. Here the hang-up asks the runner to stop the run.
        Flux<byte[]> lines = Flux.<byte[]>create(sink -> {
            Cancellation cancellation = new Cancellation();
            sink.onCancel(cancellation::cancel);
            blocking.execute(() -> run(sink, id, contextId, code, cancellation));
        });
        return HttpResponse.<Publisher<byte[]>>ok(lines).contentType(MediaType.of("application/x-ndjson"));
    }

    private void run(FluxSink<byte[]> sink, String id, String contextId, String code, Cancellation cancellation) {
        try {
            SandboxOps ops = plane.ops(id);
            String context = contextId != null ? contextId : defaultContext(id, ops);
            ContextRun run = ops.runInContext(context, code, plane.pool(id).settings().maxTimeout(),
                    new SandboxOps.OutputListener() {
                        @Override
                        public void stdout(String text) {
                            sink.next(line(log("stdout", text)));
                        }

                        @Override
                        public void stderr(String text) {
                            sink.next(line(log("stderr", text)));
                        }
                    }, cancellation);
            if (cancellation.isCancelled() && run.contextLost()) {
                // The client hung up and the run was stopped, its interpreter with it. Nobody is there to be told
                // to restart the context, and an E2B client expects its contexts to stay usable: a fresh
                // interpreter under the same id (its state is gone, as after a kernel restart).
                ops.restartContext(context);
                sink.complete();
                return;
            }
            for (ContextRun.Result r : run.results()) {
                sink.next(line(result(r)));
            }
            if (run.error() != null) {
                sink.next(line(error(run.error().name(), run.error().value(), run.error().traceback())));
            } else if (run.timedOut() || run.contextLost()) {
                sink.next(line(error(run.timedOut() ? "TimeoutError" : "ContextLost", run.timedOut()
                        ? "the code passed the pool's time limit; the context was restarted empty"
                        : "the context's interpreter ended (a limit or the code); restart the context", "")));
            }
            sink.next(line(Connect.object().put("type", "number_of_executions")
                    .put("execution_count", run.executionCount())));
        } catch (RuntimeException e) {
            RuntimeException r = SandboxPlane.rpc(e, id);
            sink.next(line(error("SandboxError", String.valueOf(r.getMessage()), "")));
        }
        sink.complete();
    }

    @Post("/contexts")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<JsonNode> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
        JsonNode message = ControlPlaneController.object(body);
        python(message.path("language"));
        String cwd = message.hasNonNull("cwd") ? SandboxPlane.toSandbox(message.get("cwd").asText()) : null;
        return HttpResponse.ok(context(call(request, ops -> ops.createContext(cwd))));
    }

    @Get("/contexts")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<JsonNode> list(HttpRequest<?> request) {
        ArrayNode out = Connect.mapper().createArrayNode();
        call(request, SandboxOps::listContexts).forEach(c -> out.add(context(c)));
        return HttpResponse.ok(out);
    }

    @Post("/contexts/{contextId}/restart")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> restart(HttpRequest<?> request, String contextId) {
        call(request, ops -> ops.restartContext(contextId));
        return HttpResponse.noContent();
    }

    @Delete("/contexts/{contextId}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> delete(HttpRequest<?> request, String contextId) {
        call(request, ops -> {
            ops.deleteContext(contextId);
            return null;
        });
        defaultContexts.values().remove(contextId);
        return HttpResponse.noContent();
    }

    private String defaultContext(String sandboxId, SandboxOps ops) {
        defaultContexts.keySet().removeIf(s -> !s.equals(sandboxId) && plane.pool(s).lease(s).isEmpty());
        return defaultContexts.computeIfAbsent(sandboxId, s -> ops.createContext(null).id());
    }

    private <T> T call(HttpRequest<?> request, Function<SandboxOps, T> call) {
        return plane.http(plane.sandboxId(request), call);
    }

    private static void python(JsonNode language) {
        if (!language.isMissingNode() && !language.isNull() && !language.asText().equals("python")) {
            throw E2bException.badRequest("language: sandbox-pool runs python only, got " + language.asText());
        }
    }

    private static ObjectNode context(ContextInfo c) {
        return Connect.object().put("id", c.id()).put("language", c.language())
                .put("cwd", c.cwd() == null ? SandboxPlane.E2B_HOME : SandboxPlane.toE2b(c.cwd()));
    }

    private static ObjectNode log(String type, String text) {
        return Connect.object().put("type", type).put("text", text)
                .put("timestamp", System.currentTimeMillis() * 1000);
    }

    static ObjectNode error(String name, String value, String traceback) {
        return Connect.object().put("type", "error").put("name", name).put("value", value)
                .put("traceback", traceback);
    }

    static ObjectNode result(ContextRun.Result r) {
        ObjectNode out = Connect.object().put("type", "result");
        r.data().forEach((mime, content) -> {
            String field = FIELDS.get(mime);
            if (field == null) {
                return;
            }
            if (field.equals("json")) {
                try {
                    out.set(field, Connect.mapper().readTree(content));
                } catch (IOException e) {
                    out.put(field, content);
                }
            } else {
                out.put(field, content);
            }
        });
        out.put("is_main_result", r.isMain());
        return out;
    }

    static byte[] line(JsonNode event) {
        byte[] json = Connect.write(event);
        byte[] out = new byte[json.length + 1];
        System.arraycopy(json, 0, out, 0, json.length);
        out[json.length] = '\n';
        return out;
    }
}
