package dev.sandboxpool.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.sandboxpool.backend.AttachedProcess;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.RunnerOutcome;
import dev.sandboxpool.execution.RunnerSession;
import dev.sandboxpool.execution.SandboxScripts;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.testing.DockerTestSupport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's socket with the real daemon and image (see {@link RunnerSockets}): requests go over it, user code can
 * neither reach nor change it, a process in the sandbox that races the runner to it is not taken for the runner, and
 * where the runner cannot reach it the exec stream serves instead.
 */
class RunnerSocketIT {
    private static final Duration FIVE = Duration.ofSeconds(5);
    private final DockerBackend backend = new DockerBackend(DockerTestSupport.docker());
    private final PoolSettings settings = DockerTestSupport.settings("socket-it", spec -> {
    });
    private final List<SandboxRef> made = new ArrayList<>();

    @AfterEach
    void removeMembers() {
        made.forEach(ref -> backend.destroy(ref.id()));
        backend.close();
    }

    private SandboxRef member() {
        SandboxRef ref = backend.create(settings);
        made.add(ref);
        return ref;
    }

    @Test
    void theRunnersRequestsAndAnswersGoOverItsSocket() throws Exception {
        SandboxRef ref = member();
        Collected out = new Collected();

        try (AttachedProcess process = backend.attach(ref.id(), SandboxScripts.serveCommand(), out).orElseThrow()) {
            assertThat(process).isInstanceOfSatisfying(RunnerStream.class,
                    stream -> assertThat(stream.overSocket()).isTrue());
            assertAnswersPing(process, out);
        }
        assertThat(backend.runnerSocketDir(ref.id()).orElseThrow().resolve(RunnerSockets.SOCKET)).doesNotExist();
    }

    @Test
    void userCodeCanNeitherListNorChangeNorReachTheSocketDirectory() {
        SandboxRef ref = member();
        String attack = String.join("\n",
                "import os, socket",
                "def attempt(f):",
                "    try:",
                "        f()",
                "        return 'done'",
                "    except OSError as e:",
                "        return e.__class__.__name__",
                "print('fds', sorted(os.listdir('/proc/self/fd')))",
                "d = '/run/sandboxpool'",
                "print('list', attempt(lambda: os.listdir(d)))",
                "print('create', attempt(lambda: open(d + '/runner.sock', 'w')))",
                "print('mkdir', attempt(lambda: os.mkdir(d + '/x')))",
                "s = socket.socket(socket.AF_UNIX)",
                "print('connect', attempt(lambda: s.connect(d + '/runner.sock')))");

        try (RunnerSession runner = RunnerSession.open(backend, ref.id()).orElseThrow()) {
            RunnerOutcome out = runner.run(ExecutionRequest.of(attack, FIVE), 10_000);

            assertThat(out.result().stdout()).isEqualTo(String.join("\n", "fds ['0', '1', '2', '3']",
                    "list PermissionError", "create OSError", "mkdir OSError", "connect FileNotFoundError", ""));
        }
    }

    /**
     * The attack: a process of the sandbox's user waits for the listener and connects the moment it appears, before
     * the runner, then waits for requests (a later lease's code). With the token check taken out of
     * {@link RunnerSocketHandshake}, this test failed (the impostor got the ping); with it, it passes.
     */
    @Test
    void aProcessThatRacesTheRunnerToTheSocketIsNotTakenForIt() throws Exception {
        SandboxRef ref = member();
        String impostor = String.join("\n",
                "import socket, time",
                "end = time.time() + 20",
                "while time.time() < end:",
                "    s = socket.socket(socket.AF_UNIX)",
                "    try:",
                "        s.connect('/run/sandboxpool/runner.sock')",
                "    except OSError:",
                "        time.sleep(0.0005)",
                "        continue",
                "    open('/tmp/impostor', 'a').write('connected\\n')",
                "    s.sendall(b'0' * 64 + b'\\n')",
                "    got = s.recv(65536)",
                "    open('/tmp/impostor', 'a').write('got %r\\n' % got)",
                "    break");
        DockerClient docker = DockerTestSupport.docker();
        String exec = docker.execCreateCmd(ref.id()).withCmd("python3", "-c", impostor).exec().getId();
        docker.execStartCmd(exec).withDetach(true).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion();
        Thread.sleep(500); // it polls for the socket before the runner starts

        Collected out = new Collected();
        try (AttachedProcess process = backend.attach(ref.id(), SandboxScripts.serveCommand(), out).orElseThrow()) {
            assertAnswersPing(process, out);
        }

        String seen = backend.exec(ref.id(), ExecCall.of(FIVE, "cat", "/tmp/impostor")).stdoutText();
        assertThat(seen).as("the impostor connected first and was dropped: it got nothing")
                .isEqualTo("connected\ngot b''\n");
    }

    @Test
    void aRunnerThatCannotReachItsSocketIsServedOverTheExecStreamAndLaterMembersGetNone() throws Exception {
        SandboxRef ref = member();
        Path dir = backend.runnerSocketDir(ref.id()).orElseThrow();
        // the sandbox's user can no longer reach into the directory, as where the daemon does not see the host's
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Collected out = new Collected();

        try (AttachedProcess process = backend.attach(ref.id(), SandboxScripts.serveCommand(), out).orElseThrow()) {
            assertThat(process).isInstanceOfSatisfying(RunnerStream.class, stream -> {
                assertThat(stream.overSocket()).isFalse();
                assertThat(stream.noSocket()).contains("Permission denied");
            });
            assertAnswersPing(process, out);
        }

        assertThat(backend.runnerSockets()).isFalse();
        SandboxRef later = member();
        assertThat(backend.runnerSocketDir(later.id())).isEmpty();
        try (RunnerSession runner = RunnerSession.open(backend, later.id()).orElseThrow()) {
            assertThat(runner.run(ExecutionRequest.of("print(6*7)", FIVE), 1000).result().stdout()).isEqualTo("42\n");
        }
    }

    @Test
    void destroyingAMemberRemovesItsDirectoryAndClosingTheBackendRemovesTheRest() {
        SandboxRef gone = member();
        SandboxRef kept = member();
        Path goneDir = backend.runnerSocketDir(gone.id()).orElseThrow();
        Path keptDir = backend.runnerSocketDir(kept.id()).orElseThrow();

        backend.destroy(gone.id());
        made.remove(gone);
        assertThat(goneDir).doesNotExist();
        assertThat(keptDir).exists();

        backend.destroy(kept.id());
        made.remove(kept);
        backend.close();
        assertThat(keptDir.getParent()).doesNotExist();
    }

    /** The runner answers a ping on {@code process}, its answer read by {@code out}. */
    private static void assertAnswersPing(AttachedProcess process, Collected out) throws Exception {
        process.write(frame("{\"nonce\":\"n1\",\"op\":\"ping\"}"));
        assertThat(out.line.get(10, TimeUnit.SECONDS)).isEqualTo("n1 {\"pong\": true}");
    }

    private static byte[] frame(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = (body.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[head.length + body.length];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(body, 0, frame, head.length, body.length);
        return frame;
    }

    /** The first line the runner answers. */
    private static final class Collected implements AttachedProcess.Listener {
        final CompletableFuture<String> line = new CompletableFuture<>();
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        @Override
        public synchronized void stdout(byte[] chunk) {
            seen.write(chunk, 0, chunk.length);
            String text = seen.toString(StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            if (nl >= 0) {
                line.complete(text.substring(0, nl));
            }
        }

        @Override
        public void stderr(byte[] chunk) {
        }

        @Override
        public void closed(Throwable cause) {
            line.completeExceptionally(new AssertionError("the runner's stream ended", cause));
        }
    }
}
