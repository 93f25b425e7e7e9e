package dev.sandboxpool.execution;

/**
 * An execution's result, whether the sandbox is left in a state that must not be reused, and whether it was cleaned
 * right after the execution (when asked to, see {@link Runner#runAndClean}).
 */
public record RunnerOutcome(ExecutionResult result, boolean damaged, boolean cleaned) {
    public RunnerOutcome(ExecutionResult result, boolean damaged) {
        this(result, damaged, false);
    }

    RunnerOutcome withCleaned(boolean clean) {
        return new RunnerOutcome(result, damaged, clean);
    }
}
