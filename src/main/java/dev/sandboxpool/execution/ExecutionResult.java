package dev.sandboxpool.execution;

import java.util.List;

/**
 * How an execution ended. {@code exitCode} follows the shell: 128+N when a signal N ended it (137: killed, on
 * timeout, output flood or out of memory). {@code error} is set only when the sandbox itself failed (its runner
 * was killed or did not answer); that sandbox is then replaced.
 */
public record ExecutionResult(String stdout, String stderr, int exitCode, boolean timedOut, boolean truncated,
        long durationMs, String error) {
    /** Every {@link #outcome()}, for counters that exist from the start. */
    public static final List<String> OUTCOMES = List.of("ok", "error", "timeout", "truncated");

    public static ExecutionResult sandboxFailed(String message, long durationMs, boolean timedOut) {
        return new ExecutionResult("", "", -1, timedOut, false, durationMs, message);
    }

    /**
     * One word for how it ended, worst first: {@code error} (the sandbox failed), {@code timeout}, {@code truncated}
     * (output over the limit), else {@code ok} whatever the exit code (the code's own failure is not the pool's).
     */
    public String outcome() {
        if (error != null) {
            return "error";
        }
        if (timedOut) {
            return "timeout";
        }
        return truncated ? "truncated" : "ok";
    }
}
