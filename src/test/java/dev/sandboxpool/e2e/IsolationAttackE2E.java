package dev.sandboxpool.e2e;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.Attacks;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attack suite of issue 10 (IsolationAttackIT in local mode) inside real pods: code of lease A tries to reach
 * lease B on the same pod (pool "attacked" has one member), with the kubelet, containerd and runc of a real node.
 */
class IsolationAttackE2E {
    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues();

    @BeforeAll
    static void aPoolOfOne() {
        release.apply(TestPools.pool("attacked", 1, 1)).ok();
        await("attacked Ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(release.api().get("v1/pools/attacked").body().path("ready").asInt())
                        .isEqualTo(1));
    }

    private static Reply lease() {
        Reply lease = await("a lease").atMost(Duration.ofMinutes(2)).until(() ->
                release.api().post("v1/pools/attacked/leases", "{\"ttlSeconds\": 120}"), r -> r.status() == 201);
        return lease;
    }

    private static Reply run(Reply lease, String body) {
        return release.api().post("v1/leases/" + lease.text("id") + "/executions", body);
    }

    private static String runCode(Reply lease, String code) {
        Reply r = run(lease, "{\"code\": " + quote(code) + "}");
        assertThat(r.status()).as("%s", r.raw().body()).isEqualTo(200);
        assertThat(r.body().path("error").isMissingNode() || r.body().path("error").isNull())
                .as("%s", r.raw().body()).isTrue();
        return r.text("stdout");
    }

    private static void release(Reply lease) {
        assertThat(release.api().delete("v1/leases/" + lease.text("id")).status()).isEqualTo(204);
    }

    /** Runs {@code attack} in lease A, then {@code look} in lease B on the same pod; what each printed. */
    private static String[] attackThenLook(String attack, String look) {
        Reply a = lease();
        String attacked = runCode(a, attack);
        release(a);
        Reply b = lease();
        assertThat(b.text("sandbox")).as("the same pod, recycled").isEqualTo(a.text("sandbox"));
        String seen = runCode(b, look);
        release(b);
        return new String[] {attacked, seen};
    }

    @Test
    void pid1CannotBeTakenOverWithPtrace() {
        String[] out = attackThenLook(Attacks.source("ptrace_pid1.py"), """
                import os
                print(os.path.exists('/workspace/planted-by-pid1'), 'planted-by-pid1' in open('/proc/1/cmdline').read())
                """);

        assertThat(out[0]).startsWith("blocked");
        assertThat(out[1]).isEqualTo("False False\n");
    }

    @Test
    void pid1OutputReachesNoLogAndThePodsDiskUseIsBounded() {
        Reply a = lease();
        String attacked = runCode(a, """
                try:
                    out = open('/proc/1/fd/1', 'w')
                except OSError as e:
                    print('blocked:', e)
                else:
                    out.write('x' * 10_000_000)
                    out.flush()
                    print('wrote')
                """);
        String pod = a.text("sandbox");
        release(a);

        assertThat(attacked).startsWith("blocked");
        Pod member = release.members("attacked").stream().filter(p -> p.getMetadata().getName().equals(pod))
                .findFirst().orElseThrow();
        assertThat(member.getSpec().getContainers().get(0).getResources().getLimits()).containsKey("ephemeral-storage");
    }

    @Test
    void requestFilesAreNeverWrittenThroughLinksOrFifosTheLeasePlanted() {
        Reply a = lease();
        runCode(a, """
                import os
                os.symlink('/proc/self/fd/0', 'stdin-of-the-writer')
                os.symlink('/proc/self/fd', 'fds')
                os.mkfifo('fifo')
                os.mkdir('dir')
                """);
        for (String file : new String[] {"stdin-of-the-writer", "fds/0", "fifo", "dir"}) {
            Reply r = run(a, "{\"code\": \"print(1)\", \"timeoutSeconds\": 5, \"files\": {" + quote(file)
                    + ": \"x\"}}");
            assertThat(r.status()).as(file + ": " + r.raw().body()).isEqualTo(400);
            assertThat(r.text("message")).startsWith("files." + file + ":");
        }
        String pod = a.text("sandbox");
        release(a);

        Reply next = lease();
        release(next);
        assertThat(next.text("sandbox")).as("the member was not damaged").isEqualTo(pod);
    }

    @Test
    void ipcObjectsAreGoneAfterTheLease() {
        String[] out = attackThenLook(Attacks.source("ipc_plant.py"), Attacks.source("ipc_look.py"));

        assertThat(out[0]).isEqualTo("planted True True True True\n");
        assertThat(out[1]).isEqualTo("{'mqueue': [], 'sysvipc': [0, 0, 0]}\n");
    }

    @Test
    void modulesPlantedInTheWorkDirDoNotRunInTheKubeletsReadinessProbe() throws InterruptedException {
        Reply a = lease();
        assertThat(runCode(a, Attacks.source("plant_modules.py"))).isEqualTo("planted\n");
        Thread.sleep(12_000); // the pool's probe period is 5 s: the kubelet probes twice with the modules in place
        String markers = runCode(a, "import os\nprint(sorted(os.listdir('/dev/shm')))");
        release(a);

        assertThat(markers).as("markers of planted code that ran").isEqualTo("[]\n");
    }

    @Test
    void theNextLeasesCodeFindsNothingOfEarlierRequestsInItsOwnMemory() {
        String secret = "TOPSECRET" + "-OF-LEASE-A";
        Reply a = lease();
        Reply used = run(a, "{\"code\": " + quote("print(1) # " + secret) + ", \"stdin\": " + quote(secret)
                + ", \"env\": {\"KEY\": " + quote(secret) + "}, \"files\": {\"f\": " + quote(secret) + "}}");
        assertThat(used.status()).isEqualTo(200);
        release(a);

        Reply b = lease();
        String seen = runCode(b, Attacks.source("memory_scan.py"));
        release(b);

        assertThat(b.text("sandbox")).isEqualTo(a.text("sandbox"));
        assertThat(seen).isEqualTo("hits 0\n");
    }
}
