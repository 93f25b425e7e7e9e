package dev.sandboxpool.http;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.Attacks;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The attack suite of a recycled pool (issue 10): code of lease A, written by someone who has read our source, tries
 * to reach lease B on the same sandbox (pool "attacked" has one member). Each test is an attack that succeeded
 * before its defence; each looks from lease B, or from the host, for what the attack would have left.
 * ReuseLeakIT keeps the classics (files, processes, environment).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/isolation-it-pools.yaml")
class IsolationAttackIT {
    @Inject
    EmbeddedServer server;

    ApiClient api;

    @BeforeEach
    void poolIsWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/attacked").body().path("ready").asInt()).isEqualTo(1));
    }

    private Reply lease() {
        Reply lease = api.post("/v1/pools/attacked/leases", "{\"waitSeconds\": 30}");
        assertThat(lease.status()).as(lease.raw().body()).isEqualTo(201);
        return lease;
    }

    private Reply run(Reply lease, String body) {
        return api.post("/v1/leases/" + lease.text("id") + "/executions", body);
    }

    private Reply runCode(Reply lease, String code) {
        Reply r = run(lease, "{\"code\": " + quote(code) + "}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r;
    }

    /** Runs {@code attack} in lease A, then {@code look} in lease B on the same sandbox; what each printed. */
    private String[] attackThenLook(String attack, String look) {
        Reply a = lease();
        String attacked = runCode(a, attack).text("stdout");
        api.delete("/v1/leases/" + a.text("id"));
        Reply b = lease();
        assertThat(b.text("sandbox")).as("the same sandbox, recycled").isEqualTo(a.text("sandbox"));
        String seen = runCode(b, look).text("stdout");
        api.delete("/v1/leases/" + b.text("id"));
        return new String[] {attacked, seen};
    }

    @Test
    void pid1CannotBeTakenOverWithPtrace() {
        String[] out = attackThenLook(Attacks.source("ptrace_pid1.py"), """
                import os
                print(os.path.exists('/workspace/planted-by-pid1'), 'PERSIST' in open('/proc/1/cmdline').read()
                      or 'planted-by-pid1' in open('/proc/1/cmdline').read())
                """);

        assertThat(out[0]).startsWith("blocked");
        assertThat(out[1]).isEqualTo("False False\n");
    }

    @Test
    void pid1OutputCannotFillTheHostsDisk() throws IOException {
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
                """).text("stdout");
        api.delete("/v1/leases/" + a.text("id"));

        String logPath = DockerTestSupport.docker().inspectContainerCmd(a.text("sandbox")).exec().getLogPath();
        long logged = logPath == null || logPath.isEmpty() || !Files.exists(Path.of(logPath)) ? 0
                : Files.size(Path.of(logPath));
        assertThat(attacked).startsWith("blocked");
        assertThat(logged).as("bytes in the container's log on the host").isLessThan(1000);
    }

    @Test
    void requestFilesAreNeverWrittenThroughLinksOrFifosTheLeasePlanted() {
        String injected = "{\"nonce\": \"x\", \"op\": \"run\", \"code\": \"open('/workspace/injected', 'w')\", "
                + "\"timeoutSeconds\": 600, \"maxOutputBytes\": 100000000}";
        Reply a = lease();
        runCode(a, """
                import os
                os.symlink('/proc/self/fd/0', 'stdin-of-the-writer')
                os.symlink('/proc/self/fd/1', 'stdout-of-the-writer')
                os.symlink('/proc/self/fd', 'fds')
                os.mkfifo('fifo')
                os.mkdir('dir')
                """);

        for (String file : new String[] {"stdin-of-the-writer", "stdout-of-the-writer", "fds/0", "fifo", "dir"}) {
            Reply r = run(a, "{\"code\": \"print(1)\", \"timeoutSeconds\": 5, \"files\": {" + quote(file) + ": "
                    + quote(injected.length() + "\n" + injected) + "}}");
            assertThat(r.status()).as(file + ": " + r.raw().body()).isEqualTo(400);
            assertThat(r.text("message")).startsWith("files." + file + ":");
        }
        String after = runCode(a, "import os\nprint(os.path.exists('/workspace/injected'))").text("stdout");
        String sandbox = a.text("sandbox");
        api.delete("/v1/leases/" + a.text("id"));

        Reply next = lease();
        api.delete("/v1/leases/" + next.text("id"));
        assertThat(after).as("a request smuggled into the runner's stdin ran").isEqualTo("False\n");
        assertThat(next.text("sandbox")).as("the member was not damaged").isEqualTo(sandbox);
    }

    @Test
    void ipcObjectsAreGoneAfterTheLease() {
        String[] out = attackThenLook(Attacks.source("ipc_plant.py"), Attacks.source("ipc_look.py"));

        assertThat(out[0]).isEqualTo("planted True True True True\n");
        assertThat(out[1]).isEqualTo("{'mqueue': [], 'sysvipc': [0, 0, 0]}\n");
    }

    @Test
    void theNextLeasesCodeFindsNothingOfEarlierRequestsInItsOwnMemory() {
        // a secret in each part of a request of lease A; lease B reads every writable page of its own process,
        // which starts as a copy of whatever forked it
        String secret = "TOPSECRET" + "-OF-LEASE-A";
        Reply a = lease();
        Reply used = run(a, "{\"code\": " + quote("print(1) # " + secret) + ", \"stdin\": " + quote(secret)
                + ", \"env\": {\"KEY\": " + quote(secret) + "}, \"files\": {\"f\": " + quote(secret) + "}}");
        assertThat(used.status()).isEqualTo(200);
        api.delete("/v1/leases/" + a.text("id"));

        Reply b = lease();
        String seen = runCode(b, Attacks.source("memory_scan.py")).text("stdout");
        api.delete("/v1/leases/" + b.text("id"));

        assertThat(b.text("sandbox")).isEqualTo(a.text("sandbox"));
        assertThat(seen).isEqualTo("hits 0\n");
    }

    @Test
    void userCodeKeepsWhatUsersExpect() {
        Reply a = lease();
        Reply r = run(a, "{\"files\": {\"helper.py\": \"X = 41\\n\"}, \"code\": " + quote("""
                import helper, multiprocessing, os, subprocess, threading
                open(os.path.expanduser('~/notes'), 'w').write('home is writable')
                t = threading.Thread(target=lambda: None); t.start(); t.join()
                with multiprocessing.Pool(2) as p:
                    squares = p.map(abs, [-1, -2])
                print(helper.X + 1, subprocess.run(['echo', 'sub'], capture_output=True, text=True).stdout.strip(),
                      squares, open(os.path.expanduser('~/notes')).read())
                """) + "}");
        api.delete("/v1/leases/" + a.text("id"));

        assertThat(r.text("stdout")).as(r.raw().body()).isEqualTo("42 sub [1, 2] home is writable\n");
    }
}
