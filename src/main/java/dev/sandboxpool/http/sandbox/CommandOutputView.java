package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Introspected;

/**
 * {@code GET .../commands/{pid}/output}: what the command printed from the offsets asked on, as text. The offsets
 * are in bytes from its start; a read ends on a character boundary (the next one starts there), so text is never
 * split. {@code lost}: the reader fell behind what the sandbox keeps (the newest execution.maxOutputBytes).
 */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandOutputView(String stdout, String stderr, long stdoutOffset, long stderrOffset, boolean exited,
        Integer exitCode, boolean timedOut, boolean lost) {
}
