package dev.sandboxpool.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.execution.ExecutionResult;
import io.micronaut.core.annotation.Introspected;

/** An execution's result as the API returns it; {@code error} appears only when the sandbox itself failed. */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecutionResponse(String stdout, String stderr, int exitCode, boolean timedOut, boolean truncated,
        long durationMs, long waitedMs, String sandbox, String error) {

    public static ExecutionResponse of(ExecutionResult r, long waitedMs, String sandbox) {
        return new ExecutionResponse(r.stdout(), r.stderr(), r.exitCode(), r.timedOut(), r.truncated(),
                r.durationMs(), waitedMs, sandbox, r.error());
    }
}
