package dev.sandboxpool.e2e;

import static dev.sandboxpool.testing.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.Attacks;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    /**
     * Sessions: lease A leaves a Python context with a secret in its globals, a process started from it and a file,
     * through the E2B API (the API agents use); lease B, on the same pod, finds none of them, and cannot reach A's
     * context by its id. The cluster's mirror of {@code SandboxOpsIT}'s attack, whose success was seen in local mode
     * with the runner's forgetting switched off; here it runs in real pods, through the pod's attached runner.
     */
    @Test
    void aLeasesContextsAndTheirProcessesAreGoneForTheNextLease() throws Exception {
        String pod = release.members("attacked").get(0).getMetadata().getName();
        E2bSandbox a = E2bSandbox.create("attacked");
        String context = a.json("POST", "/e2b/contexts", "{}").path("id").asText();
        assertThat(context).isNotBlank();
        String planted = a.execute(context, """
                import subprocess
                secret = 'TOPSECRET-OF-LEASE-A'
                child = subprocess.Popen(['sleep', '600'])
                open('/workspace/left-by-a', 'w').write(secret)
                print('planted', child.pid)
                """);
        assertThat(planted).startsWith("planted ");
        a.kill();

        E2bSandbox b = E2bSandbox.create("attacked");
        assertThat(release.members("attacked")).extracting(p -> p.getMetadata().getName())
                .as("the same pod, recycled").containsExactly(pod);
        JsonNode contexts = b.json("GET", "/e2b/contexts", null);
        assertThat(contexts.findValuesAsText("id")).doesNotContain(context);
        HttpResponse<String> reached = b.send("POST", "/e2b/execute",
                "{\"code\": \"print(secret)\", \"context_id\": \"" + context + "\"}");
        // the stream's answer (200) carries the error: no such context in this lease, and nothing of A's printed
        assertThat(reached.body()).as("A's context reached from B").contains("\"type\":\"error\"")
                .doesNotContain("TOPSECRET").doesNotContain("\"stdout\"");
        String seen = b.execute(null, """
                import os
                sleepers = []
                for p in os.listdir('/proc'):
                    try:
                        if p.isdigit() and b'sleep' in open(f'/proc/{p}/cmdline', 'rb').read():
                            sleepers.append(p)
                    except OSError:
                        pass
                print(globals().get('secret'), os.path.exists('/workspace/left-by-a'), sleepers)
                """);
        b.kill();

        assertThat(seen).isEqualTo("None False []\n");
    }

    /** A sandbox of the E2B API, its calls with its access token. */
    private record E2bSandbox(String id, String token) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();
        private static final ObjectMapper JSON = new ObjectMapper();

        static E2bSandbox create(String template) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(release.apiUri().resolve("/e2b/v2/sandboxes"))
                    .header("X-API-Key", release.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"templateID\": \"" + template
                            + "\", \"timeout\": 120}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            JsonNode body = JSON.readTree(r.body());
            return new E2bSandbox(body.path("sandboxID").asText(), body.path("envdAccessToken").asText());
        }

        HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(release.apiUri().resolve(path))
                    .header("E2b-Sandbox-Id", id).header("E2b-Sandbox-Port", "49999").header("X-Access-Token", token)
                    .timeout(Duration.ofSeconds(60));
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode json(String method, String path, String body) throws Exception {
            HttpResponse<String> r = send(method, path, body);
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        /** What the code printed (the stdout events of /execute's NDJSON stream); an error event fails the test. */
        String execute(String context, String code) throws Exception {
            var request = JSON.createObjectNode().put("code", code);
            if (context != null) {
                request.put("context_id", context);
            }
            HttpResponse<String> r = send("POST", "/e2b/execute", JSON.writeValueAsString(request));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            StringBuilder out = new StringBuilder();
            for (String line : r.body().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                assertThat(event.path("type").asText()).as(r.body()).isNotEqualTo("error");
                if (event.path("type").asText().equals("stdout")) {
                    out.append(event.path("text").asText());
                }
            }
            return out.toString();
        }

        void kill() throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(release.apiUri().resolve("/e2b/sandboxes/" + id))
                    .header("X-API-Key", release.token()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        }
    }
}
