package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Introspected;

/**
 * How a foreground command ended. {@code truncated}: it printed more than the pool's execution.maxOutputBytes on a
 * stream; the start of that stream is kept.
 */
@Introspected
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CommandResultView(int pid, int exitCode, String stdout, String stderr, boolean timedOut,
        boolean truncated, boolean cancelled, long durationMs) {
}
