package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;

/** {@code POST .../files/mkdir}: the directory to make (with its missing parents). */
@Introspected
public record PathBody(String path) {
}
