package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;
import java.math.BigDecimal;

/** {@code POST .../contexts/{contextId}/runs}: code run in the context, its state kept for the next run. */
@Introspected
public record ContextRunBody(String code, BigDecimal timeoutSeconds) {
}
