package dev.sandboxpool.http;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * User code that loops, forks, floods output or eats memory is stopped and reported, and the API keeps answering.
 * Pool "limits": memory 128Mi, pids 64, maxOutputBytes 1000.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/lease-it-pools.yaml")
class ExecutionLimitsIT {
    @Inject
    EmbeddedServer server;

    ApiClient api;

    @BeforeAll
    void poolIsWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/limits").body().path("ready").asInt()).isPositive());
    }

    private Reply oneShot(String code, int timeoutSeconds) {
        return api.post("/v1/pools/limits/executions",
                "{\"code\":" + quote(code) + ",\"timeoutSeconds\":" + timeoutSeconds + "}");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() {
        Reply lease = api.post("/v1/pools/limits/leases", "{\"waitSeconds\": 20}");
        String id = lease.text("id");

        Reply timedOut = api.post("/v1/leases/" + id + "/executions", "{\"code\":" + quote("""
                import os, subprocess, time
                subprocess.Popen(['sleep', '600'])
                if os.fork() == 0:
                    os.setsid()
                    os.execvp('sleep', ['sleep', '601'])
                while True:
                    time.sleep(0.1)
                """) + ",\"timeoutSeconds\":1}");
        Reply after = api.post("/v1/leases/" + id + "/executions", "{\"code\":" + quote("""
                import os
                mine = {'1', str(os.getpid()), str(os.getppid()), open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1]}  # PID 1, us, zygote, runner
                print([p for p in os.listdir('/proc') if p.isdigit() and p not in mine])
                """) + "}");
        api.delete("/v1/leases/" + id);

        assertThat(timedOut.body().path("timedOut").asBoolean()).isTrue();
        assertThat(timedOut.body().path("exitCode").asInt()).isEqualTo(137);
        assertThat(after.text("stdout")).isEqualTo("[]\n");
    }

    @Test
    void floodedOutputIsCutAtTheCapAndStopped() {
        long started = System.nanoTime();
        Reply r = oneShot("import sys\nwhile True: sys.stdout.write('x' * 100)", 20);

        assertThat(r.body().path("truncated").asBoolean()).isTrue();
        assertThat(r.text("stdout")).hasSize(1000);
        assertThat(r.body().path("timedOut").asBoolean()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void forkBombIsStoppedWhileTheApiKeepsAnswering() throws Exception {
        CompletableFuture<Reply> bomb = CompletableFuture.supplyAsync(() ->
                oneShot("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass", 3));
        for (int i = 0; i < 5; i++) {
            Reply list = api.get("/v1/pools");
            assertThat(list.status()).isEqualTo(200);
            Thread.sleep(200);
        }
        Reply r = bomb.get(60, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("timedOut").asBoolean()).isTrue();
        assertThat(r.body().path("exitCode").asInt()).isEqualTo(137);
        assertThat(oneShot("print('recovered')", 5).text("stdout")).isEqualTo("recovered\n");
    }

    @Test
    void memoryBombIsKilledAndReported() {
        Reply r = oneShot("blocks = []\nwhile True: blocks.append(bytearray(16 * 1024 * 1024))", 20);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("exitCode").asInt()).isEqualTo(137);
        assertThat(r.body().path("timedOut").asBoolean()).isFalse();
        assertThat(oneShot("print('after the bomb')", 5).text("stdout")).isEqualTo("after the bomb\n");
    }

    @Test
    void hugeAllocationFailsWithMemoryErrorInsteadOfAnOomKill() {
        // 2 GiB: more than the address space allowed (4 x 256Mi = 1 GiB), less than this machine could overcommit
        Reply r = oneShot("x = bytearray(2 * 1024 ** 3)", 10);

        assertThat(r.body().path("exitCode").asInt()).isEqualTo(1);
        assertThat(r.text("stderr")).contains("MemoryError");
        assertThat(oneShot("print('fine')", 5).text("stdout")).isEqualTo("fine\n");
    }

    @Test
    void executionsRunUnderCpuAddressSpaceFileSizeAndCoreRlimits() {
        Reply r = oneShot("""
                import resource as r
                print([r.getrlimit(x) for x in (r.RLIMIT_CPU, r.RLIMIT_AS, r.RLIMIT_FSIZE, r.RLIMIT_CORE)])
                """, 3);

        long gib = 1L << 30;
        assertThat(r.text("stdout")).isEqualTo("[(4, 5), (" + gib + ", " + gib + "), (" + (64 << 20) + ", "
                + (64 << 20) + "), (0, 0)]\n");
    }

    @Test
    void infiniteLoopTimesOut() {
        Reply r = oneShot("while True: pass", 1);

        assertThat(r.body().path("timedOut").asBoolean()).isTrue();
        assertThat(r.body().path("durationMs").asLong()).isBetween(1000L, 3000L);
    }

    @Test
    void envAndFilesAreInjectedPerExecution() {
        Reply r = api.post("/v1/pools/limits/executions", """
                {"code": "import os\\nprint(os.environ['GREETING'], open('data/in.txt').read())",
                 "env": {"GREETING": "hello"}, "files": {"data/in.txt": "from a file"}}""");

        assertThat(r.text("stdout")).isEqualTo("hello from a file\n");
    }

    @Test
    void userCodeThatKillsTheRunnerGetsTheSandboxReplaced() {
        Reply lease = api.post("/v1/pools/limits/leases", "{\"waitSeconds\": 20}");
        String sandbox = lease.text("sandbox");

        Reply r = api.post("/v1/leases/" + lease.text("id") + "/executions",
                "{\"code\":" + quote("import os, signal\n# the runner: the parent of the zygote that forked us\nos.kill(int(open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1]), signal.SIGKILL)") + "}");
        api.delete("/v1/leases/" + lease.text("id"));

        assertThat(r.text("error")).contains("runner");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/limits").body().path("members").findValuesAsText("sandbox"))
                        .doesNotContain(sandbox));
    }
}
