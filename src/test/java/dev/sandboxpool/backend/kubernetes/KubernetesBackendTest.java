package dev.sandboxpool.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.SandboxGoneException;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.RunnerOutcome;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Pods as sandboxes on a mock API server; commands through the exec API, answered by local processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesBackendTest {
    private MockCluster cluster;
    private KubernetesBackend backend;
    private PoolSettings settings;

    @BeforeAll
    void start() {
        cluster = new MockCluster();
        SandboxPool pool = cluster.createPool("python", MockCluster.spec(0, 3));
        settings = PoolSpecValidator.validate("python", pool.getSpec());
        backend = new KubernetesBackend(cluster.newClient(MockCluster.OPERATOR), pool, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void createsListsAndDeletesMemberPods() {
        SandboxRef created = backend.create(settings);

        assertThat(created.name()).startsWith("python-");
        assertThat(backend.list("python")).extracting(SandboxRef::name, SandboxRef::specHash)
                .contains(tuple(created.name(), settings.specHash()));

        backend.destroy(created.name());
        backend.destroy(created.name());

        assertThat(backend.list("python")).extracting(SandboxRef::name).doesNotContain(created.name());
    }

    @Test
    void execReturnsStdoutStderrAndExitCode() {
        String pod = backend.create(settings).id();

        ExecOutput out = backend.exec(pod, ExecCall.of(Duration.ofSeconds(10), "python3", "-c",
                "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"));

        assertThat(out.exitCode()).isEqualTo(3);
        assertThat(out.stdoutText()).isEqualTo("out\n");
        assertThat(out.stderrText()).isEqualTo("err\n");
        assertThat(out.timedOut()).isFalse();
    }

    @Test
    void runnerExecutesCodeWithStdinThroughTheExecApi() {
        String pod = backend.create(settings).id();

        RunnerOutcome run = new ExecRunner(backend, pod).run(new ExecutionRequest("print(input().upper())",
                "shout\n", Map.of(), Map.of("data.txt", "x"), Duration.ofSeconds(10)), 1 << 20);

        assertThat(run.damaged()).as(run.result().error()).isFalse();
        assertThat(run.result().stdout()).isEqualTo("SHOUT\n");
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().error()).isNull();
    }

    @Test
    void runnerReportsTheTimeLimitLikeDockerMode() {
        String pod = backend.create(settings).id();

        RunnerOutcome run = new ExecRunner(backend, pod).run(
                ExecutionRequest.of("while True: pass", Duration.ofSeconds(1)), 1 << 20);

        assertThat(run.result().timedOut()).isTrue();
        assertThat(run.result().exitCode()).isEqualTo(137);
        assertThat(run.damaged()).isFalse();
    }

    @Test
    void runnerAnswersPingsThroughTheExecApi() {
        String pod = backend.create(settings).id();

        assertThat(new ExecRunner(backend, pod).ping()).isEmpty();
    }

    @Test
    void execThatOutlivesItsTimeoutIsReportedTimedOut() {
        String pod = backend.create(settings).id();

        ExecOutput out = backend.exec(pod, ExecCall.of(Duration.ofMillis(500), "python3", "-c",
                "import time; time.sleep(30)"));

        assertThat(out.timedOut()).isTrue();
        assertThat(out.exitCode()).isNull();
    }

    @Test
    void execOutputIsBoundedInThisProcess() {
        String pod = backend.create(settings).id();

        ExecOutput out = backend.exec(pod, new ExecCall(List.of("python3", "-c", "print('x' * 100000)"), null,
                Duration.ofSeconds(10), 1000));

        assertThat(out.overflowed()).isTrue();
        assertThat(out.stdout().length).isLessThanOrEqualTo(1000);
    }

    @Test
    void execInAPodThatIsGoneSaysSo() {
        assertThatThrownBy(() -> backend.exec("python-gone", ExecCall.of(Duration.ofSeconds(5), "true")))
                .isInstanceOf(SandboxGoneException.class);
    }
}
