package dev.sandboxpool.execution;

import java.time.Duration;
import java.util.Map;

/**
 * Code to run and what it gets: stdin, extra environment and files written into the work dir first. Everything
 * goes in at execution time; nothing is baked into the sandbox.
 *
 * @param timeout the time limit, already checked against the pool's maximum
 */
public record ExecutionRequest(String code, String stdin, Map<String, String> env, Map<String, String> files,
        Duration timeout) {
    public ExecutionRequest {
        stdin = stdin == null ? "" : stdin;
        env = env == null ? Map.of() : Map.copyOf(env);
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    public static ExecutionRequest of(String code, Duration timeout) {
        return new ExecutionRequest(code, "", Map.of(), Map.of(), timeout);
    }
}
