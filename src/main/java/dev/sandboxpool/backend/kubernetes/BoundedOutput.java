package dev.sandboxpool.backend.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Collects one exec stream up to a bound, so a flood cannot exhaust this process's memory; past the bound it keeps
 * nothing more and completes {@link #overflowed()}, which ends the exec.
 */
final class BoundedOutput extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final long max;
    private final CompletableFuture<Void> overflowed = new CompletableFuture<>();

    BoundedOutput(long max) {
        this.max = max;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (overflowed.isDone()) {
            return;
        }
        if (bytes.size() + (long) len > max) {
            overflowed.complete(null);
            return;
        }
        bytes.write(b, off, len);
    }

    CompletableFuture<Void> overflowed() {
        return overflowed;
    }

    synchronized byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
