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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing of one lease survives into the next on a recycled sandbox. Each test leaves something behind in lease A
 * and looks for it from lease B on the same sandbox (pool "recycle" has exactly one member).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/lease-it-pools.yaml")
class ReuseLeakIT {
    @Inject
    EmbeddedServer server;

    ApiClient api;

    @BeforeAll
    void poolIsWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/recycle").body().path("ready").asInt()).isEqualTo(1));
    }

    /** How the code that leaves something behind runs: in a lease, or one-shot (cleaned in the same round trip). */
    enum Leave { IN_A_LEASE, ONE_SHOT }

    /** Runs {@code leave} in one lease, then {@code look} in the next lease; returns what look printed. */
    private String leaveThenLook(Leave how, String leave, String look) {
        String sandbox;
        if (how == Leave.ONE_SHOT) {
            Reply left = api.post("/v1/pools/recycle/executions", "{\"code\": " + quote(leave) + "}");
            assertThat(left.body().path("exitCode").asInt()).as(left.raw().body()).isZero();
            sandbox = left.text("sandbox");
        } else {
            Reply first = api.post("/v1/pools/recycle/leases", "{\"waitSeconds\": 20}");
            sandbox = first.text("sandbox");
            Reply left = run(first.text("id"), leave);
            assertThat(left.body().path("exitCode").asInt()).as(left.raw().body()).isZero();
            api.delete("/v1/leases/" + first.text("id"));
        }

        Reply second = api.post("/v1/pools/recycle/leases", "{\"waitSeconds\": 20}");
        assertThat(second.text("sandbox")).as("the same sandbox, recycled").isEqualTo(sandbox);
        Reply seen = run(second.text("id"), look);
        api.delete("/v1/leases/" + second.text("id"));
        return seen.text("stdout");
    }

    private Reply run(String lease, String code) {
        return api.post("/v1/leases/" + lease + "/executions", "{\"code\":" + quote(code) + "}");
    }

    @ParameterizedTest
    @EnumSource(Leave.class)
    void filesInTheWorkDirTmpAndShmAreGone(Leave how) {
        String seen = leaveThenLook(how, """
                import os
                for d in ('.', '/tmp', '/dev/shm'):
                    open(os.path.join(d, 'secret'), 'w').write('x')
                os.makedirs('deep/er', exist_ok=True)
                open('.hidden', 'w').write('x')
                os.chmod('deep', 0)
                """, """
                import os
                print(sorted(os.listdir('.')), sorted(os.listdir('/tmp')), sorted(os.listdir('/dev/shm')))
                """);

        assertThat(seen).isEqualTo("[] [] []\n");
    }

    /**
     * A tree deeper than PATH_MAX has no path the kernel accepts (issue 13 item 3): the clean-up that removed by path
     * failed with ENAMETOOLONG and the member was destroyed instead of recycled.
     */
    @ParameterizedTest
    @EnumSource(Leave.class)
    void aTreeDeeperThanPathMaxIsRemovedAndTheSandboxKept(Leave how) {
        String seen = leaveThenLook(how, """
                import os
                for level in range(30):
                    os.mkdir('d' * 200)
                    os.chdir('d' * 200)
                    if level == 10:
                        os.chmod('.', 0o300)
                open('bottom', 'w').write('x')
                """, """
                import os
                print(sorted(os.listdir('.')))
                """);

        assertThat(seen).isEqualTo("[]\n");
    }

    @ParameterizedTest
    @EnumSource(Leave.class)
    void backgroundAndDaemonizedProcessesAreGone(Leave how) {
        String seen = leaveThenLook(how, """
                import os, subprocess, time
                subprocess.Popen(['sleep', '600'])
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execvp('sleep', ['sleep', '601'])
                    os._exit(0)
                time.sleep(0.2)
                """, """
                import os
                mine = {'1', str(os.getpid()), str(os.getppid()), open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1]}  # PID 1, us, zygote, runner
                print([open('/proc/%s/cmdline' % p).read() for p in os.listdir('/proc')
                       if p.isdigit() and p not in mine])
                """);

        assertThat(seen).isEqualTo("[]\n");
    }

    @ParameterizedTest
    @EnumSource(Leave.class)
    void environmentChangesAreGone(Leave how) {
        String seen = leaveThenLook(how, """
                import os
                os.environ['LEAKED'] = 'yes'
                open(os.path.expanduser('~/.profile'), 'a').write('export LEAKED=yes\\n')
                os.putenv('LEAKED2', 'yes')
                """, """
                import os
                print(os.environ.get('LEAKED'), os.environ.get('LEAKED2'), os.path.exists(os.path.expanduser('~/.profile')))
                """);

        assertThat(seen).isEqualTo("None None False\n");
    }

    @Test
    void singleUseSandboxIsNeverHandedOutTwice() {
        Reply first = api.post("/v1/pools/single/leases", "{\"waitSeconds\": 20}");
        api.delete("/v1/leases/" + first.text("id"));
        Reply second = api.post("/v1/pools/single/leases", "{\"waitSeconds\": 20}");
        api.delete("/v1/leases/" + second.text("id"));

        assertThat(second.text("sandbox")).isNotEqualTo(first.text("sandbox"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/single").body().path("members").findValuesAsText("sandbox"))
                        .doesNotContain(first.text("sandbox"), second.text("sandbox")));
    }
}
