package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;

/** {@code POST .../contexts}: where the context's interpreter starts (default the work dir). */
@Introspected
public record ContextBody(String cwd) {
}
