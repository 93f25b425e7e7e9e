package dev.sandboxpool.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.testing.Attacks;
import dev.sandboxpool.testing.DockerTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the processes the product starts in a sandbox, from code that ran there before them: every interpreter
 * the product starts (runner, one-exec runner, the Kubernetes readiness probe) runs none of the sandbox's files, and
 * none can be taken over while it starts. Each test is an attack that succeeded before its defence.
 */
class RunnerIsolationIT {
    private static final Duration T = Duration.ofSeconds(10);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private final DockerBackend backend = new DockerBackend(DockerTestSupport.docker());
    private final PoolSettings settings = DockerTestSupport.settings("isolation-it", spec -> {
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

    private RunnerOutcome run(Runner runner, String code) {
        return runner.run(ExecutionRequest.of(code, T), 100_000);
    }

    @Test
    void freshInterpretersRunNothingPlantedInTheWorkDirOrHome() {
        try (Runner first = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            assertThat(run(first, Attacks.source("plant_modules.py")).result().stdout()).isEqualTo("planted\n");

            // every way the product starts an interpreter in a sandbox that user code has used
            ExecRunner oneExec = new ExecRunner(backend, sandbox.id());
            assertThat(oneExec.ping()).isEmpty();
            assertThat(run(oneExec, "print(1)").result().stdout()).isEqualTo("1\n");
            try (Runner second = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
                assertThat(second.ping()).isEmpty();
            }
            List<String> readiness = SandboxPodFactory.readinessCommand(settings);
            assertThat(backend.exec(sandbox.id(), new ExecCall(readiness, null, T, 10_000)).exitCode()).isZero();

            assertThat(run(first, "import os\nprint(sorted(os.listdir('/dev/shm')))").result().stdout())
                    .as("markers of planted code that ran").isEqualTo("[]\n");
        }
    }

    /**
     * Issue 11 item 1: a clean-up killed the kubelet's readiness probe when they met, and healthy members were retired
     * as unhealthy under load. The probe is spared (and reruns a health command the clean-up killed); a process of
     * user code that shows the probe's command line is not.
     */
    @Test
    void aCleanUpSparesTheReadinessProbeButNotAnImpostor() throws Exception {
        List<String> readiness = SandboxPodFactory.readinessCommand(DockerTestSupport.settings("isolation-it",
                spec -> spec.getHealthProbe().setCommand(List.of("python3", "-c",
                        "import time; time.sleep(1); print('HEALTH_OK')"))));
        List<String> impostor = SandboxPodFactory.readinessCommand(DockerTestSupport.settings("isolation-it",
                spec -> spec.getHealthProbe().setCommand(List.of("sleep", "600"))));
        try (Runner runner = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            // a JSON array of strings is a Python list literal
            assertThat(run(runner, "import subprocess\nsubprocess.Popen(" + JSON.writeValueAsString(impostor)
                    + ", start_new_session=True)").result().exitCode()).isZero();
            var probe = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    backend.exec(sandbox.id(), new ExecCall(readiness, null, T, 10_000)));
            Thread.sleep(400);

            assertThat(runner.clean()).as("the impostor is gone, the probe is not in the way").isEmpty();
            assertThat(probe.get().exitCode()).as(probe.get().stdoutText()).isZero();
            // by its argv (sleep 600): the runner's own command line is its compressed source in base64, where "600"
            // may stand anywhere
            assertThat(run(runner, "import os\nprint([p for p in os.listdir('/proc') if p.isdigit() and "
                    + "b'sleep\\x00600' in open('/proc/%s/cmdline' % p, 'rb').read()])").result().stdout())
                    .as("what is left of the impostor").isEqualTo("[]\n");
        }
    }

    @Test
    void userCodeStillImportsItsOwnFilesFromTheWorkDir() {
        try (Runner runner = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            RunnerOutcome out = runner.run(new ExecutionRequest("import helper\nprint(helper.X + 1)", null,
                    java.util.Map.of(), java.util.Map.of("helper.py", "X = 41\n"), T), 1000);

            assertThat(out.result().stdout()).as(out.result().stderr()).isEqualTo("42\n");
        }
    }

    @Test
    void aRunnerStartedAfterUserCodeCannotBeTakenOver() throws Exception {
        try (Runner first = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            assertThat(run(first, Attacks.source("hijack_runner.py")).result().exitCode()).isZero();
        }
        Thread.sleep(300); // the attacker is watching /proc

        Optional<String> stdout;
        Throwable failed = null;
        try (Runner second = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            stdout = Optional.of(run(second, "print(6 * 7)").result().stdout());
        } catch (BackendException e) {
            stdout = Optional.empty();
            failed = e;
        }

        String log = new String(backend.exec(sandbox.id(), ExecCall.of(T, "cat", "/tmp/hijack.log")).stdout());
        assertThat(log).as("what the attacker managed").doesNotContain("hijacked").contains("blocked");
        assertThat(stdout).as("the runner's answer (or why it could not start: %s)", failed)
                .hasValue("42\n");
    }

    private String aheadLog() {
        return new String(backend.exec(sandbox.id(), ExecCall.of(T, "cat", "/tmp/ahead.log")).stdout());
    }

    private static String tamperAhead(String action) {
        return Attacks.source("tamper_ahead.py").replace("ACTION = \"stop\"", "ACTION = \"" + action + "\"");
    }

    /**
     * The runner forks the child of the next execution ahead, while it waits for a request. One forked during a lease
     * is within reach of that lease's processes: it can be neither read nor traced, and one the lease stopped is
     * killed by the clean-up with the rest, so the next lease runs in a child forked after it. (Checked with a runner
     * that leaves itself dumpable: the attack then read the child's request pipe and attached to it with ptrace.)
     */
    @Test
    void aChildForkedAheadThatALeaseStoppedNeverServesTheNextLease() throws Exception {
        try (Runner runner = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            assertThat(run(runner, tamperAhead("stop")).result().exitCode()).isZero();
            await().atMost(T).until(() -> aheadLog().contains("stop done"));
            assertThat(aheadLog()).as("what the attacker managed").contains("found 1", "request pipe: "
                    + "PermissionError", "ptrace: Operation not permitted").doesNotContain("read its request pipe",
                    "ptrace attached");

            assertThat(runner.clean()).isEmpty();
            ExecutionResult next = runner.run(ExecutionRequest.of("print(6 * 7)", Duration.ofSeconds(3)), 1000)
                    .result();
            assertThat(next.timedOut()).as("served by the stopped child").isFalse();
            assertThat(next.stdout()).isEqualTo("42\n");
        }
    }

    /** A lease that killed its own child forked ahead gets that execution reported as killed, then all is as before. */
    @Test
    void aChildForkedAheadThatALeaseKilledLeavesTheRunnerInStep() throws Exception {
        try (Runner runner = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            assertThat(run(runner, tamperAhead("kill")).result().exitCode()).isZero();
            await().atMost(T).until(() -> aheadLog().contains("kill done"));

            assertThat(run(runner, "print(1)").result().exitCode()).as("the killed child").isEqualTo(137);
            assertThat(run(runner, "print(2)").result().stdout()).isEqualTo("2\n");
            assertThat(runner.clean()).isEmpty();
            assertThat(run(runner, "print(3)").result().stdout()).isEqualTo("3\n");
        }
    }

    @Test
    void initEndsAtOnceOnSigterm() {
        // once it runs (a signal before PID 1 has a way to take it is lost, as for any init): the pool never stops a
        // member before its runner answered
        try (Runner runner = RunnerSession.open(backend, sandbox.id()).orElseThrow()) {
            assertThat(runner.ping()).isEmpty();
        }
        long started = System.nanoTime();
        DockerTestSupport.docker().stopContainerCmd(sandbox.id()).withTimeout(20).exec();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        InspectContainerResponse.ContainerState state = DockerTestSupport.docker().inspectContainerCmd(sandbox.id())
                .exec().getState();
        assertThat(state.getExitCodeLong()).as("exit code (137: killed after the grace period)").isZero();
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aRunnerStartedWithAReadableInterpreterRefusesToServe() {
        // the runner of this jar, started with the image's ordinary python3: user code could have taken it over
        // while it started, so it must not pass for a runner
        var ping = RunnerProtocol.request("ping");
        String runner = SandboxScripts.scriptOf(SandboxScripts.runnerCommand());
        var out = backend.exec(sandbox.id(), new ExecCall(List.of("python3", "-I", "-c", runner),
                RunnerProtocol.frame(ping), T, 10_000));

        assertThat(RunnerProtocol.answerIn(out.stdoutText(), RunnerProtocol.nonce(ping))).contains("not isolated");
    }

    @Test
    void anImageWithoutTheExecuteOnlyInterpreterIsRefusedSayingWhy() throws Exception {
        String image = DockerTestSupport.derivedImage("no-interpreter", "rm /usr/bin/" + SandboxScripts.INTERPRETER);
        PoolSettings without = DockerTestSupport.settings("isolation-it", spec -> spec.setImage(image));

        assertThatThrownBy(() -> backend.create(without)).isInstanceOf(BackendException.class)
                .hasMessageContaining("has no " + SandboxScripts.INTERPRETER);
    }

    @Test
    void anImageWhoseInterpreterIsReadableGetsNoRunner() throws Exception {
        String image = DockerTestSupport.derivedImage("readable-interpreter", "chmod 0755 /usr/bin/"
                + SandboxScripts.INTERPRETER);
        PoolSettings readable = DockerTestSupport.settings("isolation-it", spec -> spec.setImage(image));
        SandboxRef member = backend.create(readable);
        try {
            assertThatThrownBy(() -> RunnerSession.open(backend, member.id())).isInstanceOf(BackendException.class)
                    .hasMessageContaining("not isolated").hasMessageContaining("readable");
        } finally {
            backend.destroy(member.id());
        }
    }
}
