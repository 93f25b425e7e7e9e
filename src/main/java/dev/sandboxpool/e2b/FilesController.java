package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sandboxpool.sandbox.FileEntry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;

/**
 * envd's HTTP side: {@code GET /files?path=} downloads a file's bytes, {@code POST /files?path=} uploads one
 * ({@code multipart/form-data}, a part per file: with several, each part's file name is its path), and
 * {@code GET /health}. Errors are envd's {@code {"code": <status>, "message"}}. The {@code username} parameter is
 * accepted and has no effect: a sandbox has one user.
 */
@Controller("/e2b")
@ExecuteOn(TaskExecutors.BLOCKING)
public class FilesController {
    private final SandboxPlane plane;

    public FilesController(SandboxPlane plane) {
        this.plane = plane;
    }

    @Get("/health")
    public HttpResponse<?> health(HttpRequest<?> request) {
        String id = plane.sandboxId(request);
        if (plane.pool(id).lease(id).isEmpty()) {
            throw E2bException.notFound(id);
        }
        return HttpResponse.noContent();
    }

    @Get("/files{?path,username}")
    public HttpResponse<byte[]> download(HttpRequest<?> request, @Nullable @QueryValue String path,
            @Nullable @QueryValue String username) {
        String id = plane.sandboxId(request);
        String p = required(path);
        byte[] content = plane.http(id, ops -> ops.readFile(p, plane.pool(id).settings().tmpfsBytes()));
        return HttpResponse.ok(content).contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment");
    }

    @Post("/files{?path,username}")
    @Consumes({MediaType.MULTIPART_FORM_DATA, MediaType.APPLICATION_OCTET_STREAM})
    public HttpResponse<byte[]> upload(HttpRequest<?> request, @Nullable @QueryValue String path,
            @Nullable @QueryValue String username, @Nullable @Body byte[] body) {
        String id = plane.sandboxId(request);
        byte[] bytes = body == null ? new byte[0] : body;
        List<String[]> written = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        if (E2bAuthFilter.isType(request, MediaType.APPLICATION_OCTET_STREAM_TYPE)) {
            written.add(new String[] {required(path)});
            contents.add(bytes);
        } else {
            List<Multipart.Part> parts;
            try {
                parts = Multipart.parse(bytes, Multipart.boundary(request.getHeaders().get(HttpHeaders.CONTENT_TYPE)));
            } catch (IllegalArgumentException e) {
                throw E2bException.badRequest(e.getMessage());
            }
            for (Multipart.Part part : parts) {
                String target = parts.size() == 1 && path != null ? path : part.filename();
                written.add(new String[] {required(target)});
                contents.add(part.content());
            }
        }
        ArrayNode out = Connect.mapper().createArrayNode();
        for (int i = 0; i < written.size(); i++) {
            String target = written.get(i)[0];
            byte[] content = contents.get(i);
            FileEntry entry = plane.http(id, ops -> ops.writeFile(target, content));
            out.addObject().put("name", entry.name()).put("type", "file")
                    .put("path", SandboxPlane.toE2b(entry.path()));
        }
        return HttpResponse.ok(Connect.write(out)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private static String required(@Nullable String path) {
        if (path == null || path.isEmpty()) {
            throw E2bException.badRequest("path is required");
        }
        if (path.indexOf('\0') >= 0) {
            throw E2bException.badRequest("path: no NUL allowed");
        }
        return SandboxPlane.toSandbox(path);
    }
}
