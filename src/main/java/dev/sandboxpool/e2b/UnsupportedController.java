package dev.sandboxpool.e2b;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;

/**
 * E2B calls a lease of a warm pool cannot honour, each answered 501 with a sentence naming what is missing (the SDKs
 * raise it as a {@code SandboxException} with that message), instead of a bare 404 that reads as a wrong URL.
 */
@Controller("/e2b")
public class UnsupportedController {
    @Post("/sandboxes/{sandboxId}/pause")
    public HttpResponse<?> pause(String sandboxId) {
        throw E2bException.unsupported("pausing a sandbox");
    }

    @Post("/sandboxes/{sandboxId}/resume")
    public HttpResponse<?> resume(String sandboxId) {
        throw E2bException.unsupported("resuming a paused sandbox");
    }

    @Post("/sandboxes/{sandboxId}/snapshots")
    public HttpResponse<?> snapshot(String sandboxId) {
        throw E2bException.unsupported("snapshots");
    }

    @Post("/sandboxes/{sandboxId}/fork")
    public HttpResponse<?> fork(String sandboxId) {
        throw E2bException.unsupported("forking a sandbox");
    }

    @Put("/sandboxes/{sandboxId}/network")
    public HttpResponse<?> network(String sandboxId) {
        throw E2bException.unsupported("changing a sandbox's network rules");
    }

    @Get("/sandboxes/{sandboxId}/metrics")
    public HttpResponse<?> metrics(String sandboxId) {
        throw E2bException.unsupported("sandbox metrics (see GET /metrics for the pool's)");
    }

    @Get("/sandboxes/metrics")
    public HttpResponse<?> allMetrics() {
        throw E2bException.unsupported("sandbox metrics (see GET /metrics for the pool's)");
    }

    @Get("/sandboxes/{sandboxId}/logs")
    public HttpResponse<?> logs(String sandboxId) {
        throw E2bException.unsupported("sandbox logs");
    }

    @Get("/v2/sandboxes/{sandboxId}/logs")
    public HttpResponse<?> logsV2(String sandboxId) {
        throw E2bException.unsupported("sandbox logs");
    }

    @Get("/snapshots{/rest:.*}")
    public HttpResponse<?> snapshots(@Nullable String rest) {
        throw E2bException.unsupported("snapshots");
    }

    @Post("/templates{/rest:.*}")
    public HttpResponse<?> buildTemplate(@Nullable String rest) {
        throw E2bException.unsupported("building templates (a template is a SandboxPool; declare one in YAML)");
    }

    @Get("/templates{/rest:.*}")
    public HttpResponse<?> templates(@Nullable String rest) {
        throw E2bException.unsupported("the template API (a template is a SandboxPool: GET /v1/pools lists them)");
    }

    @Post("/v2/templates{/rest:.*}")
    public HttpResponse<?> buildTemplateV2(@Nullable String rest) {
        throw E2bException.unsupported("building templates (a template is a SandboxPool; declare one in YAML)");
    }

    @Post("/v3/templates{/rest:.*}")
    public HttpResponse<?> buildTemplateV3(@Nullable String rest) {
        throw E2bException.unsupported("building templates (a template is a SandboxPool; declare one in YAML)");
    }

    @Get("/volumes{/rest:.*}")
    public HttpResponse<?> volumes(@Nullable String rest) {
        throw E2bException.unsupported("volumes");
    }

    @Post("/volumes{/rest:.*}")
    public HttpResponse<?> createVolume(@Nullable String rest) {
        throw E2bException.unsupported("volumes");
    }

    @Delete("/volumes{/rest:.*}")
    public HttpResponse<?> deleteVolume(@Nullable String rest) {
        throw E2bException.unsupported("volumes");
    }

    @Patch("/volumes{/rest:.*}")
    public HttpResponse<?> patchVolume(@Nullable String rest) {
        throw E2bException.unsupported("volumes");
    }
}
