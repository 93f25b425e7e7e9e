package dev.sandboxpool.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command to start: an argv, run as is (the first word looked up on PATH), or a shell line for {@code /bin/sh -c}.
 *
 * @param cwd absolute or relative to the work dir; null for the work dir
 * @param stdin written to the command first
 * @param keepStdinOpen when false, stdin reaches end of file after {@code stdin}
 * @param timeout the command is killed (its process group) when it passes it; at most the pool's execution limit
 * @param tag the caller's name for it, returned by {@link SandboxOps#listCommands()}; may be null
 */
public record CommandSpec(List<String> argv, Map<String, String> env, String cwd, byte[] stdin,
        boolean keepStdinOpen, Duration timeout, String tag) {
    public CommandSpec {
        argv = List.copyOf(argv);
        env = env == null ? Map.of() : Map.copyOf(env);
        stdin = stdin == null ? new byte[0] : stdin.clone();
    }

    /** {@code /bin/sh -c line}. */
    public static CommandSpec shell(String line, Map<String, String> env, String cwd, Duration timeout) {
        return new CommandSpec(List.of("/bin/sh", "-c", line), env, cwd, null, false, timeout, null);
    }
}
