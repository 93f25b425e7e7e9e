package dev.sandboxpool.execution;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The runner of one sandbox: runs executions and cleans up after a lease, through whatever channel it has. */
public interface Runner extends AutoCloseable {

    /** Runs one execution; the outcome says whether the sandbox is left damaged. */
    RunnerOutcome run(ExecutionRequest request, long maxOutputBytes);

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

    /** False once the runner's channel is gone (the runner was killed, the stream broke). */
    boolean alive();

    @Override
    void close();
}
