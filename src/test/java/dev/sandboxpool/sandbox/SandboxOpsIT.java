package dev.sandboxpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.WarmPool;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.TestPools;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A lease's files, commands and Python contexts, on the real image through a real pool. */
class SandboxOpsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration TTL = Duration.ofMinutes(2);
    private final TestPools pools = new TestPools();
    private WarmPool pool;

    @BeforeEach
    void startPool() {
        pool = pools.start(DockerTestSupport.settings("ops", s -> {
            s.setMinSize(1);
            s.setMaxSize(1);
            s.getReuse().setPolicy(ReusePolicy.Recycle);
        }));
    }

    @AfterEach
    void stopPools() {
        pools.close();
    }

    @Test
    void readingAWritableDirAsAFileIsInvalidAndTheMemberStays() {
        Lease lease = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(lease.id());

        // the runner's file child once failed on a path with no entry below its root, and the member with it
        assertThatThrownBy(() -> ops.readFile("/workspace", 1 << 20)).isInstanceOfSatisfying(
                SandboxOpException.class, e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.INVALID));
        assertThat(ops.stat("/workspace").type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThat(pool.lease(lease.id())).isPresent();
    }

    @Test
    void binaryFilesGoInAndComeOutByteForByte() {
        Lease lease = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(lease.id());
        byte[] content = new byte[256 * 1024];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        FileEntry written = ops.writeFile("data/blob.bin", content);
        assertThat(written.path()).isEqualTo("/workspace/data/blob.bin");
        assertThat(written.size()).isEqualTo(content.length);
        assertThat(ops.readFile("/workspace/data/blob.bin", 1 << 20)).isEqualTo(content);
        assertThat(ops.listDir("/workspace", 2)).extracting(FileEntry::path)
                .containsExactly("/workspace/data", "/workspace/data/blob.bin");
        assertThat(ops.stat("data").type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThat(ops.makeDir("/tmp/a/b").type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThatThrownBy(() -> ops.makeDir("/tmp/a/b")).isInstanceOfSatisfying(SandboxOpException.class,
                e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.ALREADY_EXISTS));
        assertThat(ops.rename("data/blob.bin", "kept/moved.bin").path()).isEqualTo("/workspace/kept/moved.bin");
        // the writable dirs are separate file systems: a move between them is refused, and says why
        assertThatThrownBy(() -> ops.rename("kept/moved.bin", "/tmp/a/moved.bin")).isInstanceOfSatisfying(
                SandboxOpException.class, e -> assertThat(e.getMessage()).contains("another file system"));
        ops.remove("data");
        assertThatThrownBy(() -> ops.stat("data")).isInstanceOfSatisfying(SandboxOpException.class,
                e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.NOT_FOUND));
        // what the code of the lease sees is the same file
        assertThat(pool.execute(lease.id(), ExecutionRequest.of("print(len(open('kept/moved.bin','rb').read()))",
                Duration.ofSeconds(10))).stdout()).isEqualTo(content.length + "\n");
        assertThatThrownBy(() -> ops.readFile("/workspace/kept/moved.bin", 1000)).isInstanceOfSatisfying(
                SandboxOpException.class, e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.TOO_LARGE));
        pool.release(lease.id());
    }

    @Test
    void pathsOutsideTheWritableDirsAndPlantedLinksAreRefused() {
        Lease lease = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(lease.id());
        for (String path : List.of("/etc/passwd", "../etc/passwd", "/workspace/../etc/passwd", "/proc/1/environ")) {
            assertThatThrownBy(() -> ops.readFile(path, 1000)).as(path).isInstanceOfSatisfying(
                    SandboxOpException.class, e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.INVALID));
        }
        // a link the lease's code planted is never followed, on the way or at the end
        pool.execute(lease.id(), ExecutionRequest.of("import os\nos.symlink('/etc', 'etc')\n"
                + "os.symlink('/etc/hostname', 'host')", Duration.ofSeconds(10)));
        assertThatThrownBy(() -> ops.readFile("etc/passwd", 1000)).isInstanceOf(SandboxOpException.class);
        assertThatThrownBy(() -> ops.readFile("host", 1000)).isInstanceOf(SandboxOpException.class);
        assertThatThrownBy(() -> ops.writeFile("etc/evil", new byte[1])).isInstanceOf(SandboxOpException.class);
        assertThat(ops.stat("host").type()).isEqualTo(FileEntry.Type.SYMLINK);
        assertThat(ops.stat("host").symlinkTarget()).isEqualTo("/etc/hostname");
        pool.release(lease.id());
    }

    @Test
    void commandsRunInTheForegroundAndInTheBackground() throws Exception {
        Lease lease = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(lease.id());
        CommandInfo started = ops.startCommand(new CommandSpec(List.of("/bin/sh", "-c",
                "echo start; read line; echo \"got $line\" >&2; exit 7"), Map.of(), "/tmp", null, true,
                Duration.ofSeconds(20), "reader"));
        assertThat(started.running()).isTrue();
        assertThat(ops.listCommands()).extracting(CommandInfo::tag).containsExactly("reader");
        CommandProgress first = ops.readCommand(started.pid(), 0, 0, Duration.ofSeconds(1));
        assertThat(new String(first.stdout(), StandardCharsets.UTF_8)).isEqualTo("start\n");
        assertThat(first.exited()).isFalse();
        ops.sendInput(started.pid(), "hello\n".getBytes(StandardCharsets.UTF_8));
        CommandProgress end = readUntilExit(ops, started.pid(), first.stdoutOffset(), 0);
        assertThat(end.exitCode()).isEqualTo(7);
        assertThat(new String(end.stderr(), StandardCharsets.UTF_8)).isEqualTo("got hello\n");

        CommandInfo sleeper = ops.startCommand(CommandSpec.shell("sleep 30", Map.of(), null, Duration.ofSeconds(60)));
        ops.signal(sleeper.pid(), 15);
        assertThat(readUntilExit(ops, sleeper.pid(), 0, 0).exitCode()).isEqualTo(128 + 15);

        CommandInfo late = ops.startCommand(CommandSpec.shell("sleep 30", Map.of(), null, Duration.ofSeconds(1)));
        CommandProgress timedOut = readUntilExit(ops, late.pid(), 0, 0);
        assertThat(timedOut.timedOut()).isTrue();
        assertThat(timedOut.exitCode()).isEqualTo(128 + 9);
        pool.release(lease.id());
    }

    @Test
    void aContextKeepsItsStateAndReportsValuesAndErrors() {
        Lease lease = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(lease.id());
        ContextInfo ctx = ops.createContext(null);
        ContextInfo other = ops.createContext("/tmp");
        List<String> streamed = new CopyOnWriteArrayList<>();
        SandboxOps.OutputListener listener = new SandboxOps.OutputListener() {
            @Override
            public void stdout(String text) {
                streamed.add(text);
            }
        };
        ContextRun set = ops.runInContext(ctx.id(), "import math\nx = 1\nprint('set', x)", Duration.ofSeconds(10),
                listener);
        assertThat(set.stdout()).isEqualTo("set 1\n");
        assertThat(String.join("", streamed)).isEqualTo("set 1\n");
        ContextRun value = ops.runInContext(ctx.id(), "x + 1", Duration.ofSeconds(10), SandboxOps.OutputListener.NONE);
        assertThat(value.results()).singleElement().satisfies(r -> {
            assertThat(r.isMain()).isTrue();
            assertThat(r.data()).containsEntry("text/plain", "2");
        });
        assertThat(value.executionCount()).isEqualTo(2);
        ContextRun html = ops.runInContext(ctx.id(), "class H:\n    def _repr_html_(self):\n        return '<b>h</b>'\n"
                + "H()", Duration.ofSeconds(10), SandboxOps.OutputListener.NONE);
        assertThat(html.results().get(0).data()).containsEntry("text/html", "<b>h</b>");
        // another context of the same lease has its own globals
        ContextRun isolated = ops.runInContext(other.id(), "'x' in globals()", Duration.ofSeconds(10),
                SandboxOps.OutputListener.NONE);
        assertThat(isolated.results().get(0).data()).containsEntry("text/plain", "False");
        ContextRun error = ops.runInContext(ctx.id(), "def f():\n    return 1 / 0\nf()", Duration.ofSeconds(10),
                SandboxOps.OutputListener.NONE);
        assertThat(error.error().name()).isEqualTo("ZeroDivisionError");
        assertThat(error.error().traceback()).contains("line 2, in f").doesNotContain("runner");
        assertThat(error.contextLost()).isFalse();

        ContextRun loop = ops.runInContext(ctx.id(), "while True: pass", Duration.ofSeconds(1),
                SandboxOps.OutputListener.NONE);
        assertThat(loop.timedOut()).isTrue();
        assertThat(loop.contextLost()).isTrue();
        ops.restartContext(ctx.id());
        assertThat(ops.runInContext(ctx.id(), "'x' in globals()", Duration.ofSeconds(10),
                SandboxOps.OutputListener.NONE).results().get(0).data()).containsEntry("text/plain", "False");
        ContextRun memory = ops.runInContext(ctx.id(), "b = bytearray(8 << 30)", Duration.ofSeconds(10),
                SandboxOps.OutputListener.NONE);
        assertThat(memory.error().name()).isEqualTo("MemoryError");
        pool.release(lease.id());
    }

    /**
     * The attack: a lease leaves a context and a background command behind, both watching the work dir for what the
     * next lease writes. After the release, the next lease of the same member sees neither, and nothing of what it
     * writes reaches them (their output would be the proof: they are gone, so there is none).
     */
    @Test
    void nothingOfALeasesContextsAndCommandsReachesTheNextLease() {
        Lease first = pool.acquire(WAIT, TTL);
        SandboxOps ops = pool.sandbox(first.id());
        ContextInfo ctx = ops.createContext(null);
        ops.runInContext(ctx.id(), "secret = 'first lease'\nimport threading, os, time\n"
                + "def spy():\n    while True:\n        time.sleep(0.05)\n        try:\n"
                + "            open('/tmp/seen', 'a').write(str(os.listdir('/workspace')))\n        except OSError:\n"
                + "            pass\nthreading.Thread(target=spy, daemon=True).start()", Duration.ofSeconds(10),
                SandboxOps.OutputListener.NONE);
        CommandInfo spy = ops.startCommand(CommandSpec.shell("while true; do ls /workspace >> /tmp/seen2; sleep 0.05;"
                + " done", Map.of(), null, Duration.ofSeconds(60)));
        String member = first.sandbox();
        pool.release(first.id());
        assertThatThrownBy(() -> ops.listContexts()).isInstanceOf(LeaseNotActiveException.class);

        Lease second = pool.acquire(WAIT, TTL);
        assertThat(second.sandbox()).isEqualTo(member);
        SandboxOps next = pool.sandbox(second.id());
        assertThat(next.listContexts()).isEmpty();
        assertThat(next.listCommands()).isEmpty();
        assertThatThrownBy(() -> next.runInContext(ctx.id(), "secret", Duration.ofSeconds(5),
                SandboxOps.OutputListener.NONE)).isInstanceOfSatisfying(SandboxOpException.class,
                e -> assertThat(e.kind()).isEqualTo(SandboxOpException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> next.readCommand(spy.pid(), 0, 0, Duration.ZERO)).isInstanceOf(
                SandboxOpException.class);
        next.writeFile("private.txt", "second lease".getBytes(StandardCharsets.UTF_8));
        String seen = pool.execute(second.id(), ExecutionRequest.of("import os, time\ntime.sleep(0.5)\n"
                + "print(sorted(os.listdir('/tmp')), len([p for p in os.listdir('/proc') if p.isdigit()]))",
                Duration.ofSeconds(10))).stdout();
        assertThat(seen).startsWith("[] ");
        pool.release(second.id());
    }

    private static CommandProgress readUntilExit(SandboxOps ops, int pid, long out, long err) throws Exception {
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            CommandProgress p = ops.readCommand(pid, out, err, Duration.ofSeconds(1));
            stdout.write(p.stdout());
            stderr.write(p.stderr());
            out = p.stdoutOffset();
            err = p.stderrOffset();
            if (p.exited()) {
                return new CommandProgress(stdout.toByteArray(), stderr.toByteArray(), out, err, true, p.exitCode(),
                        p.timedOut(), p.lost());
            }
        }
        throw new AssertionError("command " + pid + " did not end");
    }
}
