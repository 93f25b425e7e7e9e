package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.sandbox.ContextRun;
import io.micronaut.core.annotation.Introspected;
import java.util.List;
import java.util.Map;

/**
 * The end of a run in a context: output, displayed values as MIME bundles (the last expression's value last, with
 * {@code isMain}), the exception if one ended it. {@code contextLost}: a limit, a cancel or the code ended the
 * interpreter; restart the context to use it again.
 */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContextRunView(String stdout, String stderr, List<Result> results, Error error, int executionCount,
        boolean timedOut, boolean truncated, boolean contextLost, boolean cancelled, long durationMs) {

    @Introspected
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(Map<String, String> data, boolean isMain) {
    }

    @Introspected
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String name, String value, String traceback) {
    }

    static ContextRunView of(ContextRun r) {
        return new ContextRunView(r.stdout(), r.stderr(), r.results().stream()
                .map(x -> new Result(x.data(), x.isMain())).toList(), r.error() == null ? null
                : new Error(r.error().name(), r.error().value(), r.error().traceback()), r.executionCount(),
                r.timedOut(), r.truncated(), r.contextLost(), r.cancelled(), r.durationMs());
    }
}
