package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.http.ApiConfig;
import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.http.ExecutionRequests;
import dev.sandboxpool.http.JsonBodies;
import dev.sandboxpool.http.RequestText;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A lease's Python contexts (sessions): create, run code (streamed as NDJSON on request), restart, delete, list. A
 * context lives in the lease's member and dies with the lease's clean-up: another lease, on another member or on
 * the same one later, cannot reach it.
 */
@Controller("/v1/leases/{id}/contexts")
@Requires(beans = PoolRegistry.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class ContextsController {
    /** The engine names contexts with random UUIDs; anything else names none. */
    static final Pattern CONTEXT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final LeaseSandboxes sandboxes;
    private final JsonBodies json;
    private final ApiConfig config;
    private final NdjsonStream streams;

    public ContextsController(LeaseSandboxes sandboxes, JsonBodies json, ApiConfig config, NdjsonStream streams) {
        this.sandboxes = sandboxes;
        this.json = json;
        this.config = config;
        this.streams = streams;
    }

    @Post
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public HttpResponse<ContextView> create(String id, @Nullable @Body String body) {
        SandboxOps ops = sandboxes.ops(id);
        ContextBody b = body == null || body.isBlank() ? new ContextBody(null) : json.read(body, ContextBody.class);
        String cwd = b.cwd() == null ? null : SandboxPaths.check("cwd", b.cwd());
        if (cwd != null) {
            sandboxes.requireDirectory(ops, "cwd", cwd);
        }
        return HttpResponse.status(HttpStatus.CREATED).body(ContextView.of(sandboxes.call(ops,
                o -> o.createContext(cwd))));
    }

    @Get
    public ContextView.Listing list(String id) {
        SandboxOps ops = sandboxes.ops(id);
        return new ContextView.Listing(sandboxes.call(ops, SandboxOps::listContexts).stream().map(ContextView::of)
                .toList());
    }

    @Post("/{contextId}/runs")
    @Produces({MediaType.APPLICATION_JSON, NdjsonStream.TYPE})
    public HttpResponse<?> run(HttpRequest<?> request, String id, String contextId, @Nullable @Body String body) {
        Pool pool = sandboxes.pool(id);
        SandboxOps ops = pool.sandbox(id);
        String context = contextId(contextId);
        ContextRunBody b = json.read(body, ContextRunBody.class);
        String code = code(b.code());
        Duration timeout = ExecutionRequests.timeout(b.timeoutSeconds(), pool.settings());
        if (NdjsonStream.wanted(request)) {
            // a context that is not there is a 404 like the JSON answer's, not an error line after a 200
            if (sandboxes.call(ops, SandboxOps::listContexts).stream().noneMatch(c -> c.id().equals(context))) {
                throw new ApiException(HttpStatus.NOT_FOUND, "ContextNotFound", "contextId: no context " + context
                        + " in this lease");
            }
            return streams.of((output, cancellation) -> ContextRunView.of(ops.runInContext(context, code, timeout,
                    output, cancellation)));
        }
        return HttpResponse.ok(ContextRunView.of(sandboxes.call(ops, o -> o.runInContext(context, code, timeout,
                SandboxOps.OutputListener.NONE, Cancellation.NONE))));
    }

    @Post("/{contextId}/restart")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public ContextView restart(String id, String contextId) {
        SandboxOps ops = sandboxes.ops(id);
        String context = contextId(contextId);
        return ContextView.of(sandboxes.call(ops, o -> o.restartContext(context)));
    }

    @Delete("/{contextId}")
    public HttpResponse<Void> delete(String id, String contextId) {
        SandboxOps ops = sandboxes.ops(id);
        String context = contextId(contextId);
        sandboxes.call(ops, o -> {
            o.deleteContext(context);
            return null;
        });
        return HttpResponse.noContent();
    }

    private static String contextId(String contextId) {
        if (!CONTEXT_ID.matcher(contextId).matches()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "ContextNotFound", "contextId: no context "
                    + RequestText.field("", contextId).substring(1) + " in this lease");
        }
        return contextId;
    }

    /** The same rules as an execution's code. */
    private String code(String code) {
        if (code == null) {
            throw ApiException.badRequest("code", "is required");
        }
        RequestText.requirePaired("code", code);
        if (code.indexOf('\0') >= 0) {
            throw ApiException.badRequest("code", "contains a NUL character, which Python source cannot hold");
        }
        if (code.getBytes(StandardCharsets.UTF_8).length > config.getMaxCodeBytes()) {
            throw ApiException.badRequest("code", "is larger than " + config.getMaxCodeBytes() + " bytes");
        }
        return code;
    }
}
