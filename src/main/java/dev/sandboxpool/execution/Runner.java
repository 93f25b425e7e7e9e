package dev.sandboxpool.execution;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The runner of one sandbox: runs executions and cleans up after a lease, through whatever channel it has. */
public interface Runner extends AutoCloseable {

    /** Runs one execution; the outcome says whether the sandbox is left damaged. */
    RunnerOutcome run(ExecutionRequest request, long maxOutputBytes);

    /**
     * Runs one execution with its output streamed to {@code events} as it arrives ({@code {"stdout": text}} or
     * {@code {"stderr": text}}, on the channel's thread: they must not block), stopped (its process group killed)
     * when {@code cancellation} is cancelled. A runner that cannot stream runs it as {@link #run(ExecutionRequest,
     * long)} does: no events, and it runs to its end.
     */
    default RunnerOutcome run(ExecutionRequest request, long maxOutputBytes,
            java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> events, Cancellation cancellation) {
        return run(request, maxOutputBytes);
    }

    /**
     * Asks the runner to stop the request with this nonce, if it is running or yet to come; never waits, never fails
     * (a request already answered is left as it is). A runner that cannot does nothing.
     */
    default void cancel(String nonce) {
    }

    /**
     * Runs one execution and, unless it damaged the sandbox, cleans up after it: for one-shot executions, whose lease
     * ends with them. {@link RunnerOutcome#cleaned()} says whether the clean-up succeeded.
     */
    default RunnerOutcome runAndClean(ExecutionRequest request, long maxOutputBytes) {
        RunnerOutcome outcome = run(request, maxOutputBytes);
        return outcome.damaged() ? outcome : outcome.withCleaned(clean().isEmpty());
    }

    /** Kills every process but PID 1 (and the runner) and empties the writable dirs; the failure, if any. */
    Optional<String> clean();

    /** A real Python round trip through the runner; the failure, if any. */
    Optional<String> ping();

    /**
     * Runs a health probe command in the sandbox; the failure (it timed out, exited non-zero or did not print
     * {@code expectOutput}), if any. Through the runner this also proves the runner answers.
     */
    Optional<String> probe(List<String> command, String expectOutput, Duration timeout);

    /**
     * One request of the runner's protocol ({@code runner.py}: files, commands, contexts), its answer as JSON; the
     * events it streams before the answer reach {@code events} as they arrive. Only a runner that stays attached
     * between requests holds a lease's commands and contexts; others refuse.
     *
     * @throws RunnerFailedException when the runner gave no answer (gone, silent past the deadline): it is not reused
     */
    default com.fasterxml.jackson.databind.JsonNode call(java.util.Map<String, Object> request, Duration deadline,
            java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> events) {
        throw new RunnerFailedException("this sandbox's runner is not attached between requests, so it cannot hold"
                + " files, commands or contexts for a lease", false);
    }

    /** False once the runner's channel is gone (the runner was killed, the stream broke). */
    boolean alive();

    @Override
    void close();
}
