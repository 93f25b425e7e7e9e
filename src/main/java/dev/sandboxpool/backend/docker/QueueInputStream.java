package dev.sandboxpool.backend.docker;

import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The stdin docker-java copies into an attached exec: blocks until data is written or the stream is closed.
 * (A PipedInputStream would fail once the thread that last wrote to it ends, and callers are pooled threads.)
 */
final class QueueInputStream extends InputStream {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int position;
    private volatile boolean closed;

    void offer(byte[] data) {
        if (!closed) {
            chunks.add(data.clone());
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (position >= current.length) {
            if (current == END) {
                return -1;
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            position = 0;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        chunks.add(END);
    }
}
