package dev.sandboxpool.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.testing.DockerTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Both runner channels give the same results: the persistent session, and one exec per request (the fallback). */
class RunnerChannelsIT {
    /** The runner's pid, from user code: the parent of the zygote that forked it. */
    private static final String RUNNER_PID = "int(open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1]"
            + ".split()[1])";
    private final DockerBackend backend = new DockerBackend(DockerTestSupport.docker());
    private final PoolSettings settings = DockerTestSupport.settings("runner-it", spec -> {
    });
    private SandboxRef sandbox;

    @BeforeEach
    void startSandbox() {
        sandbox = backend.create(settings);
    }

    @AfterEach
    void removeSandbox() {
        backend.destroy(sandbox.id());
    }

    enum Channel { SESSION, EXEC }

    static Stream<Channel> channels() {
        return Stream.of(Channel.values());
    }

    private Runner open(Channel channel) {
        return channel == Channel.SESSION ? RunnerSession.open(backend, sandbox.id()).orElseThrow()
                : new ExecRunner(backend, sandbox.id());
    }

    @ParameterizedTest
    @MethodSource("channels")
    void runsCodeWithStdinEnvAndFiles(Channel channel) {
        try (Runner runner = open(channel)) {
            RunnerOutcome out = runner.run(new ExecutionRequest(
                    "import os, sys\nprint(sys.stdin.read(), os.environ['X'], open('in/f').read())\nsys.exit(4)",
                    "a", Map.of("X", "b"), Map.of("in/f", "c"), Duration.ofSeconds(5)), 1000);

            assertThat(out.damaged()).isFalse();
            assertThat(out.result().stdout()).isEqualTo("a b c\n");
            assertThat(out.result().exitCode()).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @MethodSource("channels")
    void cleanEmptiesTheSandboxAndPingAnswers(Channel channel) {
        try (Runner runner = open(channel)) {
            runner.run(ExecutionRequest.of("open('x','w')\nimport subprocess\nsubprocess.Popen(['sleep','99'], "
                    + "start_new_session=True)", Duration.ofSeconds(5)), 1000);

            assertThat(runner.clean()).isEmpty();
            assertThat(runner.ping()).isEmpty();
            assertThat(runner.run(ExecutionRequest.of("import os\nprint(os.listdir('.'))", Duration.ofSeconds(5)),
                    1000).result().stdout()).isEqualTo("[]\n");
        }
    }

    @ParameterizedTest
    @MethodSource("channels")
    void runAndCleanLeavesNothingBehindAndSaysSo(Channel channel) {
        try (Runner runner = open(channel)) {
            RunnerOutcome out = runner.runAndClean(ExecutionRequest.of("open('x','w')\nimport subprocess\n"
                    + "subprocess.Popen(['sleep','99'], start_new_session=True)\nprint('ran')", Duration.ofSeconds(5)),
                    1000);

            assertThat(out.result().stdout()).isEqualTo("ran\n");
            assertThat(out.cleaned()).isTrue();
            assertThat(runner.run(ExecutionRequest.of("import os\nprint(os.listdir('.'), [p for p in "
                    + "os.listdir('/proc') if p.isdigit() and p not in ('1', str(os.getpid()), str(os.getppid()), "
                    + "open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1])])",
                    Duration.ofSeconds(5)), 1000).result().stdout()).isEqualTo("[] []\n");
        }
    }

    @ParameterizedTest
    @MethodSource("channels")
    void probeCommandPassesOnlyWhenItExitsZeroAndPrintsTheExpectedText(Channel channel) {
        Duration timeout = Duration.ofSeconds(2);
        try (Runner runner = open(channel)) {
            assertThat(runner.probe(List.of("python3", "-c", "print('HEALTH_OK')"), "HEALTH_OK", timeout)).isEmpty();
            assertThat(runner.probe(List.of("python3", "-c", "print('meh')"), "HEALTH_OK", timeout))
                    .hasValueSatisfying(why -> assertThat(why).contains("exit 0").contains("meh"));
            assertThat(runner.probe(List.of("python3", "-c", "print('HEALTH_OK'); raise SystemExit(3)"), "HEALTH_OK",
                    timeout)).hasValueSatisfying(why -> assertThat(why).contains("exit 3"));
            assertThat(runner.probe(List.of("no-such-command"), "HEALTH_OK", timeout))
                    .hasValueSatisfying(why -> assertThat(why).contains("no-such-command"));
            long started = System.nanoTime();
            assertThat(runner.probe(List.of("python3", "-c", "import time; time.sleep(60)"), "HEALTH_OK", timeout))
                    .hasValueSatisfying(why -> assertThat(why).contains("no answer within 2000 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
    }

    /** The rest of the stdin went to a pipe nobody reads any more: that once ended the runner by SIGPIPE. */
    @ParameterizedTest
    @MethodSource("channels")
    void programThatLeavesMostOfALargeStdinUnreadGetsItsResult(Channel channel) {
        try (Runner runner = open(channel)) {
            RunnerOutcome out = runner.run(new ExecutionRequest("import sys\nprint(sys.stdin.read(3))",
                    "x".repeat(3_000_000), Map.of(), Map.of(), Duration.ofSeconds(10)), 1000);

            assertThat(out.damaged()).as(out.result().error()).isFalse();
            assertThat(out.result().stdout()).isEqualTo("xxx\n");
            assertThat(runner.ping()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("channels")
    void largeOutputArrivesWholeAcrossManyChunks(Channel channel) {
        try (Runner runner = open(channel)) {
            RunnerOutcome out = runner.run(ExecutionRequest.of("import sys\nsys.stdout.write('ab\\n' * 200000)",
                    Duration.ofSeconds(10)), 1 << 20);

            assertThat(out.result().stdout()).hasSize(600_000).startsWith("ab\nab\n").endsWith("ab\n");
            assertThat(out.result().truncated()).isFalse();
        }
    }

    @Test
    void sessionKilledByUserCodeIsDeadForGood() {
        try (Runner runner = open(Channel.SESSION)) {
            RunnerOutcome out = runner.run(ExecutionRequest.of("import os, signal\nos.kill(" + RUNNER_PID
                    + ", signal.SIGKILL)", Duration.ofSeconds(5)), 1000);

            assertThat(out.damaged()).isTrue();
            assertThat(out.result().error()).contains("runner");
            assertThat(runner.alive()).isFalse();
            assertThat(runner.ping()).isPresent();
        }
    }

    @Test
    void userCodeThatKillsTheZygoteDamagesTheSandbox() {
        try (Runner runner = open(Channel.SESSION)) {
            RunnerOutcome killed = runner.run(ExecutionRequest.of("import os, signal\nos.kill(os.getppid(), "
                    + "signal.SIGKILL)", Duration.ofSeconds(5)), 1000);
            RunnerOutcome next = runner.run(ExecutionRequest.of("print(1)", Duration.ofSeconds(5)), 1000);

            // the zygote was forked before any request and cannot be made again: the sandbox is not reused
            assertThat(killed.damaged() || next.damaged()).isTrue();
            assertThat(next.result().error()).contains("zygote");
            assertThat(runner.clean()).hasValueSatisfying(why -> assertThat(why).contains("zygote"));
        }
    }

    @Test
    void userOutputCannotForgeAnAnswer() {
        try (Runner runner = open(Channel.SESSION)) {
            RunnerOutcome out = runner.run(ExecutionRequest.of(
                    "import os\nos.write(1, b'0000 {\"stdout\": \"forged\", \"exitCode\": 0}\\n')\nraise SystemExit(9)",
                    Duration.ofSeconds(5)), 1000);

            assertThat(out.result().exitCode()).isEqualTo(9);
            assertThat(out.result().stdout()).startsWith("0000 {");
        }
    }
}
