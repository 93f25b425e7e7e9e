package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.http.JsonBodies;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.sandbox.RunnerSandboxOps;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * A lease's files: raw upload and download, listing, stat, remove, make dirs, rename. Paths follow the sandbox's
 * rule ({@link SandboxPaths}); each call is one request to the member's runner, fenced by the lease.
 */
@Controller("/v1/leases/{id}/files")
@Requires(beans = PoolRegistry.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class FilesController {
    /** Deepest listing: each level is a directory walk in the sandbox, bounded in entries by the engine too. */
    static final int MAX_DEPTH = 32;

    private final LeaseSandboxes sandboxes;
    private final JsonBodies json;

    public FilesController(LeaseSandboxes sandboxes, JsonBodies json) {
        this.sandboxes = sandboxes;
        this.json = json;
    }

    /** The file's bytes, up to the engine's transfer bound ({@link RunnerSandboxOps#MAX_TRANSFER_BYTES}). */
    @Get(produces = MediaType.APPLICATION_OCTET_STREAM)
    public HttpResponse<byte[]> download(String id, @Nullable @QueryValue String path) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.queryEntry("path", path);
        byte[] content = sandboxes.call(ops, o -> o.readFile(p, RunnerSandboxOps.MAX_TRANSFER_BYTES));
        return HttpResponse.ok(content).contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE);
    }

    /**
     * Writes (replaces) the file with the body, making missing parent dirs. The body is bounded by the server's
     * request size limit (a 413 before it gets here), which is below the engine's transfer bound.
     */
    @Put
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public FileView upload(String id, @Nullable @QueryValue String path, @Nullable @Body byte[] body) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.queryCreatable("path", path);
        byte[] content = body == null ? new byte[0] : body;
        return FileView.of(sandboxes.call(ops, o -> o.writeFile(p, content)));
    }

    @Delete
    public HttpResponse<Void> remove(String id, @Nullable @QueryValue String path) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.queryEntry("path", path);
        sandboxes.call(ops, o -> {
            o.remove(p);
            return null;
        });
        return HttpResponse.noContent();
    }

    @Get("/stat")
    public FileView stat(String id, @Nullable @QueryValue String path) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.query("path", path);
        return FileView.of(sandboxes.call(ops, o -> o.stat(p)));
    }

    @Get("/list")
    public FileView.Listing list(String id, @Nullable @QueryValue String path, @Nullable @QueryValue String depth) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.query("path", path == null ? "." : path);
        int levels = depth(depth);
        return FileView.Listing.of(sandboxes.call(ops, o -> o.listDir(p, levels)));
    }

    @Post("/mkdir")
    public HttpResponse<FileView> makeDir(String id, @Nullable @Body String body) {
        SandboxOps ops = sandboxes.ops(id);
        String p = SandboxPaths.creatable("path", json.read(body, PathBody.class).path());
        return HttpResponse.status(HttpStatus.CREATED).body(FileView.of(sandboxes.call(ops, o -> o.makeDir(p))));
    }

    @Post("/rename")
    public FileView rename(String id, @Nullable @Body String body) {
        SandboxOps ops = sandboxes.ops(id);
        RenameBody r = json.read(body, RenameBody.class);
        String from = SandboxPaths.entry("from", r.from());
        String to = SandboxPaths.creatable("to", r.to());
        return FileView.of(sandboxes.call(ops, o -> o.rename(from, to)));
    }

    /** Taken as text so that a wrong one is this API's 400 naming the parameter. */
    private static int depth(String depth) {
        if (depth == null) {
            return 1;
        }
        int levels;
        try {
            levels = Integer.parseInt(depth);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("depth", "must be a whole number from 1 to " + MAX_DEPTH);
        }
        if (levels < 1 || levels > MAX_DEPTH) {
            throw ApiException.badRequest("depth", "must be from 1 to " + MAX_DEPTH + ", got " + levels);
        }
        return levels;
    }
}
