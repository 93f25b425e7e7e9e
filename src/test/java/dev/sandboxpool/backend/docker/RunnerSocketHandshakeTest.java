package dev.sandboxpool.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake with real Unix sockets: whatever connects before the runner, and whatever it sends, the connection
 * taken is the one that presents the token; afterwards nothing can connect.
 *
 * <p>Written as attacks first: with the token check taken out of {@link RunnerSocketHandshake} (any first full line
 * accepted), {@link #anImpostorThatConnectsFirstIsNotTakenForTheRunner} failed, the impostor's connection taken and
 * the runner's dropped; with it, it passes.
 */
class RunnerSocketHandshakeTest {
    @TempDir
    Path dir;

    @Test
    void anImpostorThatConnectsFirstIsNotTakenForTheRunner() throws Exception {
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            SocketChannel impostor = connect();
            impostor.write(ByteBuffer.wrap(("f".repeat(64) + "\n").getBytes(StandardCharsets.US_ASCII)));
            SocketChannel silent = connect(); // and one that sends nothing, holding its connection open
            SocketChannel runner = connect();
            runner.write(ByteBuffer.wrap(handshake.tokenLine()));

            SocketChannel taken = handshake.await(Duration.ofSeconds(5), () -> false).orElseThrow();

            taken.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(read(runner, 5)).isEqualTo("ping\n");
            assertThat(read(impostor, 1)).as("the impostor was dropped").isNull();
            assertThat(read(silent, 1)).as("the silent one was dropped").isNull();
            taken.close();
        }
    }

    @Test
    void aTokenSplitOverSeveralWritesIsTakenAndAWrongOneOfTheSameLengthIsNot() throws Exception {
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            byte[] token = handshake.tokenLine();
            byte[] wrong = token.clone();
            wrong[10] = (byte) (wrong[10] == 'a' ? 'b' : 'a');
            SocketChannel guesser = connect();
            guesser.write(ByteBuffer.wrap(wrong));
            SocketChannel runner = connect();
            CompletableFuture<Optional<SocketChannel>> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return handshake.await(Duration.ofSeconds(5), () -> false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            runner.write(ByteBuffer.wrap(token, 0, 20));
            Thread.sleep(100);
            runner.write(ByteBuffer.wrap(token, 20, token.length - 20));

            SocketChannel ours = taken.get(5, TimeUnit.SECONDS).orElseThrow();
            ours.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
            assertThat(read(runner, 1)).isEqualTo("x");
            assertThat(read(guesser, 1)).isNull();
            ours.close();
        }
    }

    @Test
    void onceTheRunnerIsTakenNothingCanConnect() throws Exception {
        Path socket = dir.resolve(RunnerSockets.SOCKET);
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            SocketChannel runner = connect();
            runner.write(ByteBuffer.wrap(handshake.tokenLine()));
            handshake.await(Duration.ofSeconds(5), () -> false).orElseThrow().close();
        }

        assertThat(Files.exists(socket)).isFalse();
        assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
    }

    @Test
    void givesUpWhenTheRunnerSaysItCannotConnectOrTimeRunsOut() throws Exception {
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            long started = System.nanoTime();
            assertThat(handshake.await(Duration.ofSeconds(30), () -> true)).isEmpty();
            assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(5).toNanos());
        }
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            SocketChannel silent = connect();
            assertThat(handshake.await(Duration.ofMillis(300), () -> false)).isEmpty();
            assertThat(read(silent, 1)).isNull();
        }
        assertThat(Files.exists(dir.resolve(RunnerSockets.SOCKET))).isFalse();
    }

    @Test
    void aFloodOfConnectionsDoesNotKeepTheRunnerOut() throws Exception {
        try (RunnerSocketHandshake handshake = RunnerSocketHandshake.listen(dir)) {
            CompletableFuture<Optional<SocketChannel>> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return handshake.await(Duration.ofSeconds(10), () -> false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            java.util.List<SocketChannel> flood = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                try {
                    flood.add(connect());
                } catch (IOException e) {
                    // the backlog is full: the flood is being refused, which is fine too
                }
            }
            SocketChannel runner = null;
            for (int attempt = 0; attempt < 100 && runner == null; attempt++) {
                try {
                    runner = connect();
                } catch (IOException e) {
                    Thread.sleep(20);
                }
            }
            assertThat(runner).as("the runner got through the flood").isNotNull();
            runner.write(ByteBuffer.wrap(handshake.tokenLine()));

            assertThat(taken.get(10, TimeUnit.SECONDS)).isPresent();
            for (SocketChannel c : flood) {
                c.close();
            }
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(dir.resolve(RunnerSockets.SOCKET)));
        return c;
    }

    /** {@code n} bytes from {@code c}, or null when it was closed first. */
    private static String read(SocketChannel c, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            int got;
            try {
                got = c.read(buffer);
            } catch (IOException e) {
                return null;
            }
            if (got < 0) {
                return null;
            }
        }
        return new String(buffer.array(), StandardCharsets.US_ASCII);
    }
}
