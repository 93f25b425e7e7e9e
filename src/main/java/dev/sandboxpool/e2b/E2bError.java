package dev.sandboxpool.e2b;

import io.micronaut.core.annotation.Introspected;

/** The body of an E2B API error. */
@Introspected
public record E2bError(int code, String message) {
}
