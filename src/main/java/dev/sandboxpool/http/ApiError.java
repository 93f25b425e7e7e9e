package dev.sandboxpool.http;

import io.micronaut.core.annotation.Introspected;

/** The body of every error response: a CamelCase code a program can switch on, and a sentence for a person. */
@Introspected
public record ApiError(String error, String message) {
}
