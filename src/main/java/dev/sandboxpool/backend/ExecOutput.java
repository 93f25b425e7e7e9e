package dev.sandboxpool.backend;

import java.nio.charset.StandardCharsets;

/**
 * What a command printed and how it ended. {@code exitCode} is null when it did not end in time
 * ({@code timedOut}); a command that timed out may still run inside the sandbox, so the caller treats the member as
 * damaged.
 */
public record ExecOutput(Integer exitCode, byte[] stdout, byte[] stderr, boolean timedOut, boolean overflowed) {
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    public boolean succeeded() {
        return !timedOut && !overflowed && exitCode != null && exitCode == 0;
    }
}
