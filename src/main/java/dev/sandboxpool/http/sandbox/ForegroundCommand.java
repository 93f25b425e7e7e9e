package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.sandbox.CommandProgress;
import dev.sandboxpool.sandbox.CommandSpec;
import dev.sandboxpool.sandbox.SandboxOps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command run to its end: started in the sandbox, then its output read as it arrives (long-polled, at most
 * {@link SandboxOps#MAX_READ_WAIT} a read, so the channel is never held longer from the lease's other calls).
 * Cancelled, it is killed (its process group, SIGKILL) at the next read, and read to its end.
 */
final class ForegroundCommand {
    static final int SIGKILL = 9;

    private ForegroundCommand() {
    }

    static CommandResultView run(SandboxOps ops, CommandSpec spec, long maxOutputBytes,
            SandboxOps.OutputListener output, Cancellation cancellation) {
        long started = System.nanoTime();
        int pid = ops.startCommand(spec).pid();
        Capture out = new Capture(maxOutputBytes);
        Capture err = new Capture(maxOutputBytes);
        long outOffset = 0;
        long errOffset = 0;
        boolean cancelled = false;
        while (true) {
            if (!cancelled && cancellation.isCancelled()) {
                ops.signal(pid, SIGKILL);
                cancelled = true;
            }
            CommandProgress p = ops.readCommand(pid, outOffset, errOffset, SandboxOps.MAX_READ_WAIT);
            String outText = out.add(p.stdout(), p.lost());
            String errText = err.add(p.stderr(), p.lost());
            if (p.exited()) {
                outText += out.decoder.rest();
                errText += err.decoder.rest();
            }
            if (!outText.isEmpty()) {
                output.stdout(outText);
            }
            if (!errText.isEmpty()) {
                output.stderr(errText);
            }
            outOffset = p.stdoutOffset();
            errOffset = p.stderrOffset();
            if (p.exited()) {
                return new CommandResultView(pid, p.exitCode() == null ? -1 : p.exitCode(), out.text(), err.text(),
                        p.timedOut(), out.truncated || err.truncated, cancelled,
                        (System.nanoTime() - started) / 1_000_000);
            }
        }
    }

    /**
     * The first {@code max} bytes of a stream, for the result and for the listener alike: a command may print far
     * more than that before its timeout, and a slow streaming client would otherwise have all of it buffered here.
     */
    private static final class Capture {
        final Utf8Text.Decoder decoder = new Utf8Text.Decoder();
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final long max;
        boolean truncated;

        Capture(long max) {
            this.max = max;
        }

        String add(byte[] chunk, boolean lost) {
            truncated |= lost;
            int room = (int) Math.max(0, Math.min(max - kept.size(), chunk.length));
            if (chunk.length > room) {
                truncated = true;
            }
            kept.write(chunk, 0, room);
            return decoder.next(java.util.Arrays.copyOf(chunk, room));
        }

        String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
