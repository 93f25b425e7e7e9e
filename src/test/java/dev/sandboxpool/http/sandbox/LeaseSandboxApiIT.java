package dev.sandboxpool.http.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The /v1 routes of a lease's files, commands and contexts, through HTTP on the real Docker daemon and image. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/sandbox-api-it-pools.yaml")
class LeaseSandboxApiIT {
    @Inject
    EmbeddedServer server;

    ApiClient api;
    String lease;

    @BeforeAll
    void poolIsWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/sbx").body().path("ready").asInt()).isPositive());
    }

    @BeforeEach
    void acquire() {
        Reply r = api.post("/v1/pools/sbx/leases", "{\"ttlSeconds\": 120}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        lease = r.text("id");
    }

    @AfterEach
    void release() {
        api.delete("/v1/leases/" + lease);
    }

    private String on(String rest) {
        return "/v1/leases/" + lease + rest;
    }

    static String q(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    @Test
    void aBinaryFileGoesUpAndComesDownByteForByte() {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }

        Reply up = api.put(on("/files?path=" + q("data/blob.bin")), content, "application/octet-stream");
        HttpResponse<byte[]> down = api.getBytes(on("/files?path=" + q("/workspace/data/blob.bin")));

        assertThat(up.status()).as(up.raw().body()).isEqualTo(200);
        assertThat(up.text("path")).isEqualTo("/workspace/data/blob.bin");
        assertThat(up.text("type")).isEqualTo("FILE");
        assertThat(up.body().path("size").asLong()).isEqualTo(content.length);
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.headers().firstValue("Content-Type").orElse("")).startsWith("application/octet-stream");
        assertThat(down.body()).isEqualTo(content);
    }

    @Test
    void directoriesAreListedStatedMadeRenamedAndRemoved() {
        api.put(on("/files?path=" + q("a/one.txt")), "1".getBytes(StandardCharsets.UTF_8),
                "application/octet-stream");
        Reply made = api.post(on("/files/mkdir"), "{\"path\": \"a/b/c\"}");
        Reply again = api.post(on("/files/mkdir"), "{\"path\": \"a/b/c\"}");
        Reply listed = api.get(on("/files/list?path=a&depth=3"));
        Reply renamed = api.post(on("/files/rename"), "{\"from\": \"a/one.txt\", \"to\": \"moved/one.txt\"}");
        Reply stat = api.get(on("/files/stat?path=" + q("/workspace/moved/one.txt")));
        Reply removed = api.delete(on("/files?path=a"));
        Reply gone = api.get(on("/files/stat?path=a"));

        assertThat(made.status()).isEqualTo(201);
        assertThat(made.text("type")).isEqualTo("DIRECTORY");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("error")).isEqualTo("AlreadyExists");
        List<String> paths = new ArrayList<>();
        listed.body().path("entries").forEach(e -> paths.add(e.path("path").asText()));
        assertThat(paths).containsExactlyInAnyOrder("/workspace/a/b", "/workspace/a/b/c", "/workspace/a/one.txt");
        assertThat(renamed.status()).as(renamed.raw().body()).isEqualTo(200);
        assertThat(renamed.text("path")).isEqualTo("/workspace/moved/one.txt");
        assertThat(stat.body().path("size").asInt()).isEqualTo(1);
        assertThat(stat.body().has("modifiedAt")).isTrue();
        assertThat(removed.status()).isEqualTo(204);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.text("error")).isEqualTo("FileNotFound");
        assertThat(gone.text("message")).startsWith("path: ");
    }

    @Test
    void aForegroundCommandAnswersWithItsEnd() {
        Reply argv = api.post(on("/commands"), "{\"cmd\": [\"ls\", \"-a\", \"/workspace\"]}");
        Reply shell = api.post(on("/commands"), "{\"shell\": \"echo $GREETING | wc -c; pwd; cat; exit 3\","
                + " \"env\": {\"GREETING\": \"hello\"}, \"cwd\": \"/tmp\", \"stdin\": \"from stdin\"}");
        Reply slow = api.post(on("/commands"), "{\"shell\": \"sleep 5\", \"timeoutSeconds\": 0.5}");

        assertThat(argv.status()).as(argv.raw().body()).isEqualTo(200);
        assertThat(argv.body().path("exitCode").asInt()).isZero();
        assertThat(argv.text("stdout")).contains(".", "..");
        assertThat(shell.body().path("exitCode").asInt()).isEqualTo(3);
        assertThat(shell.text("stdout")).isEqualTo("6\n/tmp\nfrom stdin");
        assertThat(slow.body().path("timedOut").asBoolean()).isTrue();
    }

    @Test
    void aBackgroundCommandIsReadFromOffsetsFedAndSignalled() {
        Reply started = api.post(on("/commands"), "{\"cmd\": [\"sh\", \"-c\", \"echo ready; while read l; do"
                + " echo got $l; done; echo stdin closed\"], \"background\": true, \"keepStdinOpen\": true,"
                + " \"tag\": \"echoer\"}");
        int pid = started.body().path("pid").asInt();
        String cmd = on("/commands/" + pid);

        Reply input = api.post(cmd + "/stdin", "{\"data\": \"one\\n\"}");
        StringBuilder out = new StringBuilder();
        long[] offset = {0};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Reply r = api.get(cmd + "/output?stdoutOffset=" + offset[0] + "&waitSeconds=1");
            out.append(r.text("stdout"));
            offset[0] = r.body().path("stdoutOffset").asLong();
            return out.toString().contains("got one");
        });
        Reply closed = api.post(cmd + "/stdin/close", "");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get(cmd).body().path("running").asBoolean()).isFalse());
        Reply rest = api.get(cmd + "/output?stdoutOffset=" + offset[0]);
        Reply late = api.post(cmd + "/stdin", "{\"data\": \"two\\n\"}");
        Reply listed = api.get(on("/commands"));

        Reply sleeper = api.post(on("/commands"), "{\"shell\": \"sleep 60\", \"background\": true}");
        String sleeperPath = on("/commands/" + sleeper.body().path("pid").asInt());
        Reply signalled = api.post(sleeperPath + "/signal", "{\"signal\": 15}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get(sleeperPath).body().path("exitCode").asInt()).isEqualTo(128 + 15));

        assertThat(started.status()).as(started.raw().body()).isEqualTo(201);
        assertThat(started.body().path("running").asBoolean()).isTrue();
        assertThat(input.status()).isEqualTo(204);
        assertThat(out.toString()).startsWith("ready\ngot one\n");
        assertThat(closed.status()).isEqualTo(204);
        assertThat(rest.text("stdout")).isEqualTo("stdin closed\n");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.text("error")).isEqualTo("StdinClosed");
        assertThat(rest.body().path("exited").asBoolean()).isTrue();
        assertThat(rest.body().path("exitCode").asInt()).isZero();
        assertThat(listed.body().path("commands").findValuesAsText("tag")).contains("echoer");
        assertThat(signalled.status()).isEqualTo(204);
    }

    @Test
    void aContextKeepsItsStateBetweenRunsAndCanBeRestartedAndDeleted() {
        Reply created = api.post(on("/contexts"), "");
        String ctx = on("/contexts/" + created.text("id"));

        Reply define = api.post(ctx + "/runs", "{\"code\": \"x = 41\\nprint('defined')\"}");
        Reply use = api.post(ctx + "/runs", "{\"code\": \"x + 1\"}");
        Reply fails = api.post(ctx + "/runs", "{\"code\": \"1 / 0\"}");
        Reply restarted = api.post(ctx + "/restart", "");
        Reply after = api.post(ctx + "/runs", "{\"code\": \"'x' in globals()\"}");
        Reply listed = api.get(on("/contexts"));
        Reply deleted = api.delete(ctx);
        Reply runDeleted = api.post(ctx + "/runs", "{\"code\": \"1\"}");

        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(created.text("cwd")).isEqualTo("/workspace");
        assertThat(define.text("stdout")).isEqualTo("defined\n");
        JsonNode result = use.body().path("results").get(0);
        assertThat(result.path("data").path("text/plain").asText()).isEqualTo("42");
        assertThat(result.path("isMain").asBoolean()).isTrue();
        assertThat(use.body().path("executionCount").asInt()).isEqualTo(2);
        assertThat(fails.body().path("error").path("name").asText()).isEqualTo("ZeroDivisionError");
        assertThat(fails.body().path("error").path("traceback").asText()).contains("ZeroDivisionError");
        assertThat(restarted.status()).isEqualTo(200);
        assertThat(after.body().path("results").get(0).path("data").path("text/plain").asText()).isEqualTo("False");
        assertThat(listed.body().path("contexts").findValuesAsText("id")).contains(created.text("id"));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(runDeleted.status()).isEqualTo(404);
        assertThat(runDeleted.text("error")).isEqualTo("ContextNotFound");
    }

    @Test
    void wrongRequestsAre4xxNamingTheFieldAndTouchNoSandbox() {
        assertThat(api.post(on("/commands"), "{}").text("message")).startsWith("cmd: ");
        assertThat(api.post(on("/commands"), "{\"cmd\": [\"ls\"], \"shell\": \"ls\"}").status()).isEqualTo(400);
        assertThat(api.post(on("/commands"), "{\"cmd\": [\"ls\", null]}").text("message")).startsWith("cmd[1]: ");
        assertThat(api.post(on("/commands"), "{\"cmd\": [\"ls\"], \"background\": \"yes\"}").text("message"))
                .startsWith("background");
        assertThat(api.post(on("/commands"), "{\"shell\": \"ls\", \"keepStdinOpen\": true}").text("message"))
                .startsWith("keepStdinOpen: ");
        assertThat(api.post(on("/commands"), "{\"shell\": \"ls\", \"timeoutSeconds\": 31}").text("message"))
                .startsWith("timeoutSeconds: ");
        assertThat(api.post(on("/commands"), "{\"shell\": \"ls\", \"env\": {\"1X\": \"a\"}}").text("message"))
                .startsWith("env.1X: ");
        assertThat(api.get(on("/files")).text("message")).startsWith("path: ");
        Reply noCwd = api.post(on("/commands"), "{\"shell\": \"ls\", \"cwd\": \"nowhere\"}");
        assertThat(noCwd.text("error")).isEqualTo("FileNotFound");
        assertThat(noCwd.text("message")).startsWith("cwd: ");
        assertThat(api.post(on("/contexts"), "{\"cwd\": \"/tmp/nowhere\"}").text("error")).isEqualTo("FileNotFound");
        assertThat(api.put(on("/files?path=."), new byte[] {1}, "application/octet-stream").text("message"))
                .startsWith("path: is a writable dir itself");
        assertThat(api.get(on("/files/list?depth=0")).text("message")).startsWith("depth: ");
        assertThat(api.get(on("/commands/abc")).status()).isEqualTo(404);
        assertThat(api.get(on("/commands/1/output?waitSeconds=5")).text("message")).startsWith("waitSeconds: ");
        assertThat(api.post(on("/commands/1/signal"), "{\"signal\": 99}").text("message")).startsWith("signal: ");
        assertThat(api.post(on("/contexts/nope/runs"), "{\"code\": \"1\"}").status()).isEqualTo(404);
        assertThat(api.put(on("/files?path=x"), new byte[] {1}, "application/json").status()).isEqualTo(415);
        assertThat(api.post("/v1/leases/sbx.00000000000000000000000000000000/commands", "{\"shell\": \"ls\"}")
                .text("error")).isEqualTo("LeaseNotFound");
    }
}
