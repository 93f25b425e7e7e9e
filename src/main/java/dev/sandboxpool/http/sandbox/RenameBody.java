package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;

/** {@code POST .../files/rename}: an entry and where it goes (missing parent dirs of {@code to} are made). */
@Introspected
public record RenameBody(String from, String to) {
}
