package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.sandbox.ContextInfo;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Introspected;
import java.util.List;

/** A Python context (session) of the lease: its globals, imports and definitions persist between its runs. */
@Introspected
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContextView(String id, String language, String cwd) {

    static ContextView of(ContextInfo c) {
        return new ContextView(c.id(), c.language(), c.cwd());
    }

    /** {@code GET .../contexts}. */
    @Introspected
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Listing(List<ContextView> contexts) {
    }
}
