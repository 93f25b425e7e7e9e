package dev.sandboxpool.execution;

/** An execution's result, and whether the sandbox is left in a state that must not be reused. */
public record RunnerOutcome(ExecutionResult result, boolean damaged) {
}
