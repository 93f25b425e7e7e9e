package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.sandbox.FileEntry;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.function.Function;

/**
 * envd's {@code filesystem.Filesystem} service over a lease's files (unary calls only): {@code Stat},
 * {@code MakeDir}, {@code Move}, {@code ListDir}, {@code Remove}. Watching directories is not offered.
 */
@Controller("/e2b/filesystem.Filesystem")
@Consumes({Connect.UNARY_JSON, Connect.STREAM_JSON})
@ExecuteOn(TaskExecutors.BLOCKING)
public class FilesystemController {
    private final SandboxPlane plane;

    public FilesystemController(SandboxPlane plane) {
        this.plane = plane;
    }

    @Post("/Stat")
    public HttpResponse<byte[]> stat(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String path = path(Connect.parse(body), "path");
        return entry(call(request, ops -> ops.stat(path)));
    }

    @Post("/MakeDir")
    public HttpResponse<byte[]> makeDir(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String path = path(Connect.parse(body), "path");
        return entry(call(request, ops -> ops.makeDir(path)));
    }

    @Post("/Move")
    public HttpResponse<byte[]> move(HttpRequest<?> request, @Nullable @Body byte[] body) {
        JsonNode message = Connect.parse(body);
        String from = path(message, "source");
        String to = path(message, "destination");
        return entry(call(request, ops -> ops.rename(from, to)));
    }

    @Post("/ListDir")
    public HttpResponse<byte[]> listDir(HttpRequest<?> request, @Nullable @Body byte[] body) {
        JsonNode message = Connect.parse(body);
        String path = path(message, "path");
        int depth = Math.max(1, message.path("depth").asInt(1));
        ArrayNode entries = Connect.mapper().createArrayNode();
        call(request, ops -> ops.listDir(path, depth)).forEach(e -> entries.add(json(e)));
        ObjectNode out = Connect.object();
        out.set("entries", entries);
        return ProcessController.unary(out);
    }

    @Post("/Remove")
    public HttpResponse<byte[]> remove(HttpRequest<?> request, @Nullable @Body byte[] body) {
        String path = path(Connect.parse(body), "path");
        call(request, ops -> {
            ops.remove(path);
            return null;
        });
        return ProcessController.unary(Connect.object());
    }

    @Post("/WatchDir")
    public HttpResponse<byte[]> watchDir() {
        throw unwatched();
    }

    @Post("/CreateWatcher")
    public HttpResponse<byte[]> createWatcher() {
        throw unwatched();
    }

    @Post("/GetWatcherEvents")
    public HttpResponse<byte[]> getWatcherEvents() {
        throw unwatched();
    }

    @Post("/RemoveWatcher")
    public HttpResponse<byte[]> removeWatcher() {
        throw unwatched();
    }

    private static Connect.RpcException unwatched() {
        return new Connect.RpcException(Connect.Code.UNIMPLEMENTED, "watching directories is not supported by "
                + "sandbox-pool");
    }

    private <T> T call(HttpRequest<?> request, Function<SandboxOps, T> call) {
        return plane.rpc(plane.sandboxId(request), call);
    }

    private static String path(JsonNode message, String field) {
        JsonNode path = message.get(field);
        if (path == null || !path.isTextual() || path.asText().isEmpty()) {
            throw Connect.invalid(field + " is required");
        }
        if (path.asText().indexOf('\0') >= 0) {
            throw Connect.invalid(field + ": no NUL allowed");
        }
        return SandboxPlane.toSandbox(path.asText());
    }

    private static HttpResponse<byte[]> entry(FileEntry entry) {
        ObjectNode out = Connect.object();
        out.set("entry", json(entry));
        return ProcessController.unary(out);
    }

    /** An entry as the proto's JSON names it (int64 size as a string, the enum by name, times RFC 3339). */
    static ObjectNode json(FileEntry e) {
        ObjectNode out = Connect.object();
        out.put("name", e.name());
        out.put("type", switch (e.type()) {
            case FILE -> "FILE_TYPE_FILE";
            case DIRECTORY -> "FILE_TYPE_DIRECTORY";
            case SYMLINK -> "FILE_TYPE_SYMLINK";
            case OTHER -> "FILE_TYPE_UNSPECIFIED";
        });
        out.put("path", SandboxPlane.toE2b(e.path()));
        out.put("size", Long.toString(e.size()));
        out.put("mode", e.mode() & 07777);
        out.put("permissions", permissions(e));
        out.put("owner", "user");
        out.put("group", "user");
        if (e.modified() != null) {
            out.put("modifiedTime", e.modified().toString());
        }
        if (e.symlinkTarget() != null) {
            out.put("symlinkTarget", SandboxPlane.toE2b(e.symlinkTarget()));
        }
        return out;
    }

    static String permissions(FileEntry e) {
        StringBuilder s = new StringBuilder(switch (e.type()) {
            case DIRECTORY -> "d";
            case SYMLINK -> "L";
            default -> "-";
        });
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((e.mode() & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return s.toString();
    }
}
