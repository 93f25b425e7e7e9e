package dev.sandboxpool.backend.docker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The listening end of one runner's socket, open only while that runner starts (see {@link RunnerSockets}).
 *
 * <p>The runner learns a fresh random token on its exec's stdin, which only this process and the runner hold, and
 * presents it as the first line on the socket. Any connection that does not present it is dropped, however early it
 * came: what connects is not trusted for being first. Once the runner's connection is taken, the listener is closed
 * and its socket removed, so nothing can connect any more; the connection itself is the runner's alone (user code
 * cannot open the runner's descriptors, see runner.py).
 */
final class RunnerSocketHandshake implements AutoCloseable {
    /** A token line is 64 hex digits and a newline; more from one connection is not a runner. */
    private static final int TOKEN_LINE = 65;
    /** Connections that have not presented a token yet, at most; further ones are dropped at once. */
    private static final int MAX_PENDING = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path socket;
    private final ServerSocketChannel server;
    private final byte[] tokenLine;
    /** Connections that have not presented a whole line yet, oldest first. */
    private final java.util.ArrayDeque<SelectionKey> pending = new java.util.ArrayDeque<>();

    private RunnerSocketHandshake(Path socket, ServerSocketChannel server, byte[] tokenLine) {
        this.socket = socket;
        this.server = server;
        this.tokenLine = tokenLine;
    }

    /** Listens at {@code dir}/{@link RunnerSockets#SOCKET}, reachable by the sandbox's user. */
    static RunnerSocketHandshake listen(Path dir) throws IOException {
        Path socket = dir.resolve(RunnerSockets.SOCKET);
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), MAX_PENDING);
            // the sandbox runs as another user (nobody), who may connect but, the directory being read-only
            // inside and 0711, neither list nor replace it
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            server.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        byte[] token = new byte[32];
        RANDOM.nextBytes(token);
        byte[] line = (HexFormat.of().formatHex(token) + "\n").getBytes(StandardCharsets.US_ASCII);
        return new RunnerSocketHandshake(socket, server, line);
    }

    /** What the runner is told on its stdin: the token and a newline. */
    byte[] tokenLine() {
        return tokenLine.clone();
    }

    /**
     * The connection that presents the token, in blocking mode; empty when {@code givenUp} turns true first (the
     * runner said it cannot connect, or it ended) or {@code timeout} passes. Closes the listener either way.
     */
    Optional<SocketChannel> await(Duration timeout, BooleanSupplier givenUp) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (!givenUp.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                selector.select(Math.max(1, Math.min(50, left / 1_000_000)));
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue; // dropped as the oldest while this round was read
                    }
                    SocketChannel taken = key.isAcceptable() ? accept(selector) : read(key);
                    if (taken != null) {
                        for (SelectionKey other : selector.keys()) {
                            if (other != key && other.channel() instanceof SocketChannel pending) {
                                pending.close();
                            }
                        }
                        key.cancel();
                        selector.selectNow(); // the cancelled key leaves the selector before the mode changes
                        taken.configureBlocking(true);
                        return Optional.of(taken);
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey key : selector.keys()) {
                if (key.channel() instanceof SocketChannel pending) {
                    pending.close();
                }
            }
            return Optional.empty();
        } finally {
            close();
        }
    }

    /**
     * Takes a new connection; when {@link #MAX_PENDING} wait already, the oldest is dropped, not the new one: a flood
     * of silent connections cannot keep out the runner, which presents its token as soon as it connects.
     */
    private SocketChannel accept(Selector selector) throws IOException {
        SocketChannel connection = server.accept();
        if (connection == null) {
            return null;
        }
        while (pending.size() >= MAX_PENDING) {
            pending.removeFirst().channel().close();
        }
        connection.configureBlocking(false);
        pending.addLast(connection.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(TOKEN_LINE)));
        return null;
    }

    /** The connection once it presented the token whole; null while it has not, and it is dropped when it cannot. */
    private SocketChannel read(SelectionKey key) throws IOException {
        SocketChannel connection = (SocketChannel) key.channel();
        ByteBuffer line = (ByteBuffer) key.attachment();
        int n;
        try {
            n = connection.read(line);
        } catch (IOException e) {
            n = -1;
        }
        if (n >= 0 && line.hasRemaining()) {
            return null;
        }
        pending.remove(key);
        if (n >= 0 && MessageDigest.isEqual(line.array(), tokenLine)) {
            return connection;
        }
        connection.close();
        return null;
    }

    /** Stops listening and removes the socket: nothing can connect from now on. */
    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
