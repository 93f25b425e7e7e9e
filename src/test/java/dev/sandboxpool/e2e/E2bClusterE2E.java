package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.E2bSdks;
import dev.sandboxpool.testing.NdjsonClient;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official E2B SDKs, unchanged, against a cluster with two lease API replicas, each reached on its own pod (not
 * through the Service's pick). The SDKs send the control plane to one replica and the sandbox plane to the other, so
 * every command, file and code run reaches a replica that does not hold the sandbox's lease and must be forwarded to
 * the one that does: the contexts and background commands live in that replica's runner in the pod.
 *
 * <p>With forwarding switched off, three of the four failed (seen): the commands of both scripts ran without the
 * sandbox's create-time {@code envs}, and the other replica knew no metadata of the sandbox. Contexts alone did not
 * tell (the SDKs create them through the sandbox plane too, so on the replica that then used them).
 */
class E2bClusterE2E {
    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues("api.replicaCount", "2");

    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();
    private static final List<PortForward> forwards = new ArrayList<>();
    private static Pod firstPod;
    private static URI first;
    private static URI second;
    private static boolean hasMatplotlib;

    @BeforeAll
    static void twoReplicasAndAPool() throws Exception {
        release.apply(TestPools.pool("python", 2, 3)).ok();
        await("python Ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(release.api().get("v1/pools/python").body().path("ready").asInt())
                        .isGreaterThanOrEqualTo(2));
        await("both API pods Ready").atMost(Duration.ofMinutes(3)).until(() -> ready(release.apiPods()).size() == 2);
        List<Pod> apis = ready(release.apiPods());
        firstPod = apis.get(0);
        first = forwardTo(firstPod);
        second = forwardTo(apis.get(1));
        E2bSdks.install();
        var probe = release.api().post("v1/pools/python/executions",
                "{\"code\":\"import importlib.util; print(importlib.util.find_spec('matplotlib') is not None)\"}");
        assertThat(probe.status()).as("%s", probe.raw().body()).isEqualTo(200);
        hasMatplotlib = probe.text("stdout").strip().equals("True");
    }

    @AfterAll
    static void closeForwards() {
        forwards.forEach(PortForward::close);
    }

    private static URI forwardTo(Pod pod) {
        PortForward f = PortForward.open(release.namespace(), "pod/" + pod.getMetadata().getName(), 8080);
        forwards.add(f);
        return f.uri();
    }

    private static List<Pod> ready(List<Pod> pods) {
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
                && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                && c.getStatus().equals("True"))).toList();
    }

    private static E2bSdks.Target target(URI controlPlane, URI sandboxPlane) {
        return new E2bSdks.Target(controlPlane.resolve("/e2b").toString(), sandboxPlane.resolve("/e2b").toString(),
                release.token(), hasMatplotlib);
    }

    @Test
    void thePythonSdkScriptPassesWithItsSandboxCallsOnTheOtherReplica() throws Exception {
        E2bSdks.runPython(target(first, second));
    }

    @Test
    void theJavascriptSdkScriptPassesWithItsSandboxCallsOnTheOtherReplica() throws Exception {
        E2bSdks.runJavascript(target(second, first));
    }

    /**
     * A sandbox's metadata lives with the replica that created it; asked of the other, the answer comes from the
     * holder, and a kill through the other ends it there.
     */
    @Test
    void theOtherReplicaAnswersForASandboxItDidNotCreate() throws Exception {
        HttpResponse<String> created = send(first, "POST", "/e2b/v2/sandboxes",
                "{\"templateID\":\"python\",\"timeout\":120,\"metadata\":{\"owner\":\"e2e\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.readTree(created.body()).path("sandboxID").asText();
        String token = id.substring(id.lastIndexOf('.') + 1);
        assertThat(release.members("python")).filteredOn(p -> token.equals(p.getMetadata().getLabels()
                .get("sandboxpool.dev/lease"))).singleElement().satisfies(p -> assertThat(p.getMetadata()
                .getAnnotations()).containsEntry("sandboxpool.dev/lease-holder", firstPod.getMetadata().getName())
                .containsEntry("sandboxpool.dev/lease-holder-address", firstPod.getStatus().getPodIP() + ":8080"));

        HttpResponse<String> info = send(second, "GET", "/e2b/sandboxes/" + id, null);
        assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
        JsonNode body = json.readTree(info.body());
        assertThat(body.path("metadata").path("owner").asText()).as(info.body()).isEqualTo("e2e");

        HttpResponse<String> killed = send(second, "DELETE", "/e2b/sandboxes/" + id, null);
        assertThat(killed.statusCode()).as(killed.body()).isEqualTo(204);
        HttpResponse<String> gone = send(first, "GET", "/e2b/sandboxes/" + id, null);
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(404);
    }

    /**
     * Our own API: a context made through one replica is used through the other, and a file written through one is
     * read through the other; the state lives in the holder's runner. Without forwarding the second replica's runner
     * would know no such context (404).
     */
    @Test
    void aLeasesContextAndFilesAreReachedThroughEitherReplica() {
        ApiClient a = new ApiClient(first, release.token());
        ApiClient b = new ApiClient(second, release.token());
        ApiClient.Reply lease = a.post("v1/pools/python/leases", "{\"ttlSeconds\": 120}");
        assertThat(lease.status()).as("%s", lease.raw().body()).isEqualTo(201);
        String id = lease.text("id");
        try {
            ApiClient.Reply context = b.post("v1/leases/" + id + "/contexts", "{}");
            assertThat(context.status()).as("%s", context.raw().body()).isEqualTo(201);
            String ctx = context.text("id");
            ApiClient.Reply set = b.post("v1/leases/" + id + "/contexts/" + ctx + "/runs", "{\"code\": \"x = 41\"}");
            assertThat(set.status()).as("%s", set.raw().body()).isEqualTo(200);
            ApiClient.Reply used = a.post("v1/leases/" + id + "/contexts/" + ctx + "/runs",
                    "{\"code\": \"print(x + 1)\"}");
            assertThat(used.status()).as("%s", used.raw().body()).isEqualTo(200);
            assertThat(used.text("stdout")).isEqualTo("42\n");

            byte[] bytes = {0, 1, 2, (byte) 0xff, '\n'};
            ApiClient.Reply put = b.put("v1/leases/" + id + "/files?path=/workspace/blob.bin", bytes,
                    "application/octet-stream");
            assertThat(put.status()).as("%s", put.raw().body()).isIn(200, 201);
            HttpResponse<byte[]> got = a.getBytes("v1/leases/" + id + "/files?path=/workspace/blob.bin");
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(bytes);
        } finally {
            assertThat(a.delete("v1/leases/" + id).status()).isEqualTo(204);
        }
    }

    /**
     * A context run asked of the replica that does not hold the lease streams back as it is printed (the first line
     * well before the end); a client of the holder that hangs up stops the run there.
     */
    @Test
    void aForwardedRunStreamsAndAHangUpAtTheHolderStopsIt() throws Exception {
        ApiClient a = new ApiClient(first, release.token());
        ApiClient.Reply lease = a.post("v1/pools/python/leases", "{\"ttlSeconds\": 120}");
        assertThat(lease.status()).as("%s", lease.raw().body()).isEqualTo(201);
        String id = lease.text("id");
        Map<String, String> auth = Map.of("Authorization", "Bearer " + release.token());
        try {
            String ctx = a.post("v1/leases/" + id + "/contexts", "{}").text("id");
            String runs = "/v1/leases/" + id + "/contexts/" + ctx + "/runs";
            long started = System.nanoTime();
            try (NdjsonClient run = NdjsonClient.post(second, runs, json.createObjectNode().put("code",
                    "import time\nprint('first', flush=True)\ntime.sleep(3)\nprint('last')").toString(), auth)) {
                JsonNode firstLine = run.next();
                long firstAfterMs = (System.nanoTime() - started) / 1_000_000;
                run.rest();
                long endAfterMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(firstLine.path("type").asText()).as("%s", firstLine).isEqualTo("stdout");
                assertThat(firstAfterMs).as("first line after %d ms, end after %d ms", firstAfterMs, endAfterMs)
                        .isLessThan(endAfterMs - 2000);
            }

            String ticking = "import time\nfor i in range(600):\n    open('/workspace/ticks', 'a').write('x')\n"
                    + "    print(i, flush=True)\n    time.sleep(0.05)\n";
            try (NdjsonClient run = NdjsonClient.post(first, runs, json.createObjectNode().put("code", ticking)
                    .toString(), auth)) {
                assertThat(run.next().path("type").asText()).isEqualTo("stdout");
            }
            Thread.sleep(2000);
            // the holder's runner serves one request at a time: a run that went on would hold this up to its end
            long before = ticks(a, id);
            Thread.sleep(1000);
            assertThat(ticks(a, id)).as("the run went on after the hang-up").isEqualTo(before).isLessThan(600);
        } finally {
            assertThat(a.delete("v1/leases/" + id).status()).isEqualTo(204);
        }
    }

    private static long ticks(ApiClient api, String lease) {
        ApiClient.Reply r = api.post("v1/leases/" + lease + "/executions",
                "{\"code\": \"import os; print(os.path.getsize('/workspace/ticks'))\"}");
        assertThat(r.status()).as("%s", r.raw().body()).isEqualTo(200);
        return Long.parseLong(r.text("stdout").strip());
    }

    /** Forwarding follows authentication: without the key, the replica that got the call refuses it itself. */
    @Test
    void aCallWithoutTheKeyIsRefusedWhereItArrives() throws Exception {
        HttpResponse<String> created = send(first, "POST", "/e2b/v2/sandboxes", "{\"templateID\":\"python\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.readTree(created.body()).path("sandboxID").asText();
        try {
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(second.resolve("/e2b/sandboxes/" + id))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
        } finally {
            send(first, "DELETE", "/e2b/sandboxes/" + id, null);
        }
    }

    private static HttpResponse<String> send(URI replica, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(replica.resolve(path)).header("X-API-Key", release.token())
                .timeout(Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
