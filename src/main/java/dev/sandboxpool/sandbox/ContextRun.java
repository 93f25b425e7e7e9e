package dev.sandboxpool.sandbox;

import java.util.List;
import java.util.Map;

/**
 * The end of a run in a context.
 *
 * @param result the value of the last expression as MIME bundles ({@code text/plain} always, plus {@code image/png}
 *     base64, {@code text/html}, {@code application/json} when the object offers them), the main result last; empty
 *     when the code ends in a statement or the value is None. Objects shown with {@code display(...)} come first.
 * @param error the exception that ended the run, or null
 * @param executionCount runs of this context so far, this one included
 * @param contextLost a limit (time, memory, output) or the code itself ended the context's interpreter: its state
 *     is gone and it must be restarted
 * @param cancelled the caller cancelled the run (its client went away): its interpreter was killed, so the context
 *     is lost too
 */
public record ContextRun(String stdout, String stderr, List<Result> results, ContextError error, int executionCount,
        boolean timedOut, boolean truncated, boolean contextLost, boolean cancelled, long durationMs) {

    /** One displayed value: MIME type to content; {@code isMain} for the last expression's value. */
    public record Result(Map<String, String> data, boolean isMain) {
    }

    /** An exception: its class name, its message and the formatted traceback from the user's code on. */
    public record ContextError(String name, String value, String traceback) {
    }
}
