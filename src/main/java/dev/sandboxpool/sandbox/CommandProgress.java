package dev.sandboxpool.sandbox;

/**
 * What a command printed since the offsets a reader asked from, and whether it ended.
 *
 * @param stdoutOffset where the next read of stdout starts (the offset after {@code stdout})
 * @param exitCode null while it runs; 128 + n when signal n ended it
 * @param timedOut it was killed at its timeout
 * @param lost output between the offsets asked and what is returned was dropped (the reader fell behind)
 */
public record CommandProgress(byte[] stdout, byte[] stderr, long stdoutOffset, long stderrOffset, boolean exited,
        Integer exitCode, boolean timedOut, boolean lost) {
}
