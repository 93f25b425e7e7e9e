package dev.sandboxpool.backend;

import java.time.Duration;
import java.util.List;

/**
 * One command to run in a sandbox. {@code maxOutputBytes} bounds what the backend buffers from each stream; past it
 * the command is cut off and reported as {@link ExecOutput#overflowed()}.
 */
public record ExecCall(List<String> command, byte[] stdin, Duration timeout, long maxOutputBytes) {
    public ExecCall {
        command = List.copyOf(command);
        stdin = stdin == null ? new byte[0] : stdin;
    }

    public static ExecCall of(Duration timeout, String... command) {
        return new ExecCall(List.of(command), null, timeout, 1 << 20);
    }
}
