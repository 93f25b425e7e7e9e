package dev.sandboxpool.backend.docker;

import dev.sandboxpool.backend.AttachedProcess;
import dev.sandboxpool.backend.BackendException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A runner attached with a socket (see {@link RunnerSockets}): its requests and answers go over the socket once the
 * handshake took it, or over the exec stream when the runner said it could not connect ({@code nosocket}). Its
 * stderr, and its end, always come on the exec stream.
 *
 * <p>Writes are queued for a writer thread, as the exec stream's are: a runner that user code stopped (SIGSTOP) must
 * not hold a caller's thread in a write; the caller's deadline ends the session instead.
 */
final class RunnerStream implements AttachedProcess {
    private static final byte[] END = new byte[0];
    private static final String NO_SOCKET = "nosocket ";
    /** The runner's own threads need little stack: a read or write loop. */
    private static final long STACK = 256 << 10;

    private enum Mode { HANDSHAKE, SOCKET, EXEC_STREAM }

    private final String id;
    private final Listener listener;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CountDownLatch decided = new CountDownLatch(1);
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private final LinkedBlockingQueue<byte[]> writes = new LinkedBlockingQueue<>();
    private volatile Mode mode = Mode.HANDSHAKE;
    private volatile String noSocket;
    private volatile Throwable endedEarly;
    private volatile boolean endedBeforeDecision;
    private volatile SocketChannel socket;
    private volatile AttachedProcess exec;

    RunnerStream(String id, Listener listener) {
        this.id = id;
        this.listener = listener;
    }

    /** What the runner's exec stream delivers: to this stream, which decides where it goes. */
    Listener execListener() {
        return new Listener() {
            @Override
            public void stdout(byte[] chunk) {
                execStdout(chunk);
            }

            @Override
            public void stderr(byte[] chunk) {
                listener.stderr(chunk);
            }

            @Override
            public void closed(Throwable cause) {
                execEnded(cause);
            }
        };
    }

    /** The runner's exec, started with {@link #execListener()}. */
    void exec(AttachedProcess exec) {
        this.exec = exec;
    }

    /** Whether the handshake can no longer succeed: the runner said it cannot connect, or it ended. */
    boolean givenUp() {
        return decided.getCount() == 0;
    }

    /** Output on the exec stream's stdout: the runner's {@code nosocket} line, or answers once it fell back. */
    private synchronized void execStdout(byte[] chunk) {
        if (mode != Mode.HANDSHAKE) {
            listener.stdout(chunk);
            return;
        }
        early.write(chunk, 0, chunk.length);
        byte[] seen = early.toByteArray();
        int nl = indexOf(seen, (byte) '\n');
        if (nl < 0) {
            if (seen.length > 4096) {
                fail("the runner wrote " + seen.length + " bytes before its handshake");
            }
            return;
        }
        String first = new String(seen, 0, nl, StandardCharsets.UTF_8);
        if (!first.startsWith(NO_SOCKET)) {
            fail("the runner wrote " + first + " before its handshake");
            return;
        }
        noSocket = first.substring(NO_SOCKET.length());
        mode = Mode.EXEC_STREAM;
        decided.countDown();
        if (nl + 1 < seen.length) {
            listener.stdout(Arrays.copyOfRange(seen, nl + 1, seen.length));
        }
    }

    /** The exec stream ended: the runner is gone. */
    private void execEnded(Throwable cause) {
        if (mode == Mode.HANDSHAKE) {
            endedBeforeDecision = true;
            endedEarly = cause;
            decided.countDown();
        }
        end(cause);
    }

    private void fail(String why) {
        endedEarly = new IOException(why);
        endedBeforeDecision = true;
        decided.countDown();
    }

    /** Whether requests and answers go over the socket (rather than the exec stream). */
    boolean overSocket() {
        return mode == Mode.SOCKET;
    }

    /** Why the runner could not connect, when it said so. */
    String noSocket() {
        return noSocket;
    }

    /**
     * The handshake's result: the runner's connection, or none. Afterwards this stream serves, or it throws and is
     * closed.
     */
    synchronized void start(SocketChannel taken) {
        if (taken != null && mode == Mode.HANDSHAKE && !endedBeforeDecision) {
            socket = taken;
            mode = Mode.SOCKET;
            decided.countDown();
            thread("read", this::readLoop).start();
            thread("write", this::writeLoop).start();
            return;
        }
        closeQuietly(taken);
        if (mode == Mode.EXEC_STREAM) {
            return;
        }
        close();
        Throwable cause = endedEarly;
        throw new BackendException("the runner in " + id + " did not connect to its socket"
                + (endedBeforeDecision ? " (it ended: " + (cause == null ? "no output" : cause.getMessage()) + ")"
                        : " in time"), cause);
    }

    private Thread thread(String what, Runnable loop) {
        Thread t = new Thread(null, loop, "runner-socket-" + what + "-" + id.substring(0, Math.min(12, id.length())),
                STACK);
        t.setDaemon(true);
        return t;
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
        try {
            while (true) {
                buffer.clear();
                int n = socket.read(buffer);
                if (n < 0) {
                    end(null);
                    return;
                }
                listener.stdout(Arrays.copyOf(buffer.array(), n));
            }
        } catch (IOException e) {
            end(ended.get() ? null : e);
        }
    }

    private void writeLoop() {
        try {
            for (byte[] data = writes.take(); data != END; data = writes.take()) {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    socket.write(buffer);
                }
            }
        } catch (IOException e) {
            end(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void end(Throwable cause) {
        if (ended.compareAndSet(false, true)) {
            listener.closed(cause);
        }
    }

    @Override
    public void write(byte[] data) {
        if (mode == Mode.SOCKET) {
            if (!ended.get()) {
                writes.add(data.clone());
            }
        } else {
            exec.write(data);
        }
    }

    @Override
    public void close() {
        writes.add(END);
        closeQuietly(socket);
        AttachedProcess started = exec;
        if (started != null) {
            started.close();
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing what is already broken
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
