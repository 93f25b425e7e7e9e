package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;

/** {@code POST .../commands/{pid}/stdin}: text written to the command's stdin (as UTF-8). */
@Introspected
public record InputBody(String data) {
}
