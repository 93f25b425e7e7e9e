package dev.sandboxpool.execution;

/**
 * How an execution ended. {@code exitCode} follows the shell: 128+N when a signal N ended it (137: killed, on
 * timeout, output flood or out of memory). {@code error} is set only when the sandbox itself failed (its runner
 * was killed or did not answer); that sandbox is then replaced.
 */
public record ExecutionResult(String stdout, String stderr, int exitCode, boolean timedOut, boolean truncated,
        long durationMs, String error) {

    public static ExecutionResult sandboxFailed(String message, long durationMs, boolean timedOut) {
        return new ExecutionResult("", "", -1, timedOut, false, durationMs, message);
    }
}
