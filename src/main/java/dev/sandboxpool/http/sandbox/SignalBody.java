package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;

/** {@code POST .../commands/{pid}/signal}: a Linux signal number (15 TERM, 9 KILL, 2 INT) for its process group. */
@Introspected
public record SignalBody(Integer signal) {
}
