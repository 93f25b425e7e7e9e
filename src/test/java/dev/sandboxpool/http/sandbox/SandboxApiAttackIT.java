package dev.sandboxpool.http.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.ApiClient.Reply;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a tenant could try through the /v1 sandbox routes: leave the writable dirs by path or by a link it planted,
 * flood the server with an upload, and reach another lease's files, commands and contexts, at the same time on
 * another member or later on the same member.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/sandbox-api-it-pools.yaml")
class SandboxApiAttackIT {
    private static final String OCTETS = "application/octet-stream";

    @Inject
    EmbeddedServer server;

    ApiClient api;

    @BeforeAll
    void poolsAreWarm() {
        DockerTestSupport.docker();
        api = new ApiClient(server.getURI());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(api.get("/v1/pools/sbx").body().path("ready").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(api.get("/v1/pools/sbx-one").body().path("ready").asInt()).isEqualTo(1);
        });
    }

    private String lease(String pool) {
        Reply r = api.post("/v1/pools/" + pool + "/leases", "{\"ttlSeconds\": 120}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.text("id");
    }

    private static String q(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    @Test
    void pathsOutsideTheWritableDirsAreRefusedWhateverTheRoute() {
        String lease = lease("sbx");
        String files = "/v1/leases/" + lease + "/files";
        try {
            for (String path : List.of("../etc/passwd", "/etc/passwd", "/workspace/../etc/passwd", "/",
                    "/workspace/./../../proc/1/environ", "/proc/self/environ", "/tmpx/a")) {
                assertThat(api.getBytes(files + "?path=" + q(path)).statusCode()).as("GET %s", path).isEqualTo(400);
                assertThat(api.put(files + "?path=" + q(path), new byte[] {1}, OCTETS).status()).as("PUT %s", path)
                        .isEqualTo(400);
                assertThat(api.get(files + "/list?path=" + q(path)).status()).as("list %s", path).isEqualTo(400);
                assertThat(api.delete(files + "?path=" + q(path)).status()).as("DELETE %s", path).isEqualTo(400);
                assertThat(api.post(files + "/rename", "{\"from\": \"x\", \"to\": " + ApiClient.quote(path) + "}")
                        .status()).as("rename to %s", path).isEqualTo(400);
            }
            Reply shown = api.get(files + "/stat?path=" + q("/etc/passwd"));
            assertThat(shown.text("message")).startsWith("path: must be inside one of the sandbox's writable dirs");
        } finally {
            api.delete("/v1/leases/" + lease);
        }
    }

    @Test
    void readingAWritableDirAsAFileIsA400AndCostsNoSandbox() {
        String lease = lease("sbx");
        String on = "/v1/leases/" + lease;
        try {
            String sandbox = api.get(on).text("sandbox");
            for (String root : List.of("/workspace", ".", "/tmp", "/dev/shm/")) {
                assertThat(api.getBytes(on + "/files?path=" + q(root)).statusCode()).as(root).isEqualTo(400);
            }
            Reply after = api.post(on + "/commands", "{\"shell\": \"true\"}");
            assertThat(after.status()).as(after.raw().body()).isEqualTo(200);
            assertThat(api.get(on).text("sandbox")).isEqualTo(sandbox);
        } finally {
            api.delete("/v1/leases/" + lease);
        }
    }

    @Test
    void aLinkThePlantedLeadsNowhereOutside() {
        String lease = lease("sbx");
        String on = "/v1/leases/" + lease;
        try {
            Reply planted = api.post(on + "/commands", "{\"shell\": \"ln -s /etc /workspace/etc && ln -s /etc/passwd"
                    + " /workspace/pw && ln -s /etc /tmp/up\"}");
            assertThat(planted.body().path("exitCode").asInt()).as(planted.raw().body()).isZero();

            assertThat(api.getBytes(on + "/files?path=" + q("etc/passwd")).statusCode()).isEqualTo(400);
            assertThat(api.getBytes(on + "/files?path=pw").statusCode()).isEqualTo(400);
            assertThat(api.put(on + "/files?path=" + q("etc/evil"), new byte[] {1}, OCTETS).status()).isEqualTo(400);
            assertThat(api.put(on + "/files?path=pw", new byte[] {1}, OCTETS).status()).isEqualTo(400);
            assertThat(api.get(on + "/files/list?path=" + q("/tmp/up")).status()).isEqualTo(400);
            assertThat(api.post(on + "/files/mkdir", "{\"path\": \"etc/made\"}").status()).isEqualTo(400);
            // the link itself is described, not followed
            Reply stat = api.get(on + "/files/stat?path=pw");
            assertThat(stat.text("type")).isEqualTo("SYMLINK");
            assertThat(stat.text("symlinkTarget")).isEqualTo("/etc/passwd");
            // and removing it removes the link, not what it names
            assertThat(api.delete(on + "/files?path=etc").status()).isEqualTo(204);
            Reply etc = api.post(on + "/commands", "{\"shell\": \"test -f /etc/passwd && test ! -e /workspace/etc\"}");
            assertThat(etc.body().path("exitCode").asInt()).isZero();
        } finally {
            api.delete("/v1/leases/" + lease);
        }
    }

    @Test
    void anUploadOverTheServersLimitIs413AndTheLeaseStaysUsable() {
        String lease = lease("sbx");
        try {
            Reply huge = api.put("/v1/leases/" + lease + "/files?path=huge.bin", new byte[17 << 20], OCTETS);
            Reply after = api.post("/v1/leases/" + lease + "/commands", "{\"shell\": \"test ! -e huge.bin\"}");

            assertThat(huge.status()).isEqualTo(413);
            assertThat(huge.text("error")).isEqualTo("PayloadTooLarge");
            assertThat(after.body().path("exitCode").asInt()).as(after.raw().body()).isZero();
        } finally {
            api.delete("/v1/leases/" + lease);
        }
    }

    @Test
    void anotherLeaseReachesNoneOfALeasesCommandsContextsOrFiles() {
        String mine = lease("sbx");
        String theirs = lease("sbx");
        try {
            String ctx = api.post("/v1/leases/" + mine + "/contexts", "").text("id");
            api.post("/v1/leases/" + mine + "/contexts/" + ctx + "/runs", "{\"code\": \"secret = 'mine'\"}");
            int pid = api.post("/v1/leases/" + mine + "/commands", "{\"shell\": \"echo secret; sleep 60\","
                    + " \"background\": true}").body().path("pid").asInt();
            api.put("/v1/leases/" + mine + "/files?path=secret.txt", "mine".getBytes(StandardCharsets.UTF_8), OCTETS);

            String on = "/v1/leases/" + theirs;
            assertThat(api.get(on + "/contexts").body().path("contexts")).isEmpty();
            assertThat(api.post(on + "/contexts/" + ctx + "/runs", "{\"code\": \"secret\"}").text("error"))
                    .isEqualTo("ContextNotFound");
            assertThat(api.post(on + "/contexts/" + ctx + "/restart", "").status()).isEqualTo(404);
            assertThat(api.delete(on + "/contexts/" + ctx).status()).isEqualTo(404);
            assertThat(api.get(on + "/commands").body().path("commands")).isEmpty();
            assertThat(api.get(on + "/commands/" + pid + "/output").text("error")).isEqualTo("CommandNotFound");
            assertThat(api.post(on + "/commands/" + pid + "/signal", "{\"signal\": 9}").status()).isEqualTo(404);
            assertThat(api.post(on + "/commands/" + pid + "/stdin", "{\"data\": \"x\"}").status()).isEqualTo(404);
            assertThat(api.get(on + "/files/stat?path=secret.txt").text("error")).isEqualTo("FileNotFound");

            // the owner's handles still work: nothing above touched them
            Reply still = api.post("/v1/leases/" + mine + "/contexts/" + ctx + "/runs", "{\"code\": \"secret\"}");
            assertThat(still.body().path("results").get(0).path("data").path("text/plain").asText())
                    .isEqualTo("'mine'");
            assertThat(api.get("/v1/leases/" + mine + "/commands/" + pid).body().path("running").asBoolean())
                    .isTrue();
        } finally {
            api.delete("/v1/leases/" + mine);
            api.delete("/v1/leases/" + theirs);
        }
    }

    @Test
    void theNextLeaseOfTheSameSandboxFindsNothingOfTheLastOne() {
        String first = lease("sbx-one");
        String sandbox = api.get("/v1/leases/" + first).text("sandbox");
        String ctx = api.post("/v1/leases/" + first + "/contexts", "").text("id");
        int pid = api.post("/v1/leases/" + first + "/commands", "{\"shell\": \"sleep 300\", \"background\": true}")
                .body().path("pid").asInt();
        api.put("/v1/leases/" + first + "/files?path=left.txt", "left".getBytes(StandardCharsets.UTF_8), OCTETS);
        assertThat(api.delete("/v1/leases/" + first).status()).isEqualTo(204);

        String next = lease("sbx-one");
        try {
            assertThat(api.get("/v1/leases/" + next).text("sandbox")).isEqualTo(sandbox);
            String on = "/v1/leases/" + next;
            assertThat(api.get(on + "/contexts").body().path("contexts")).isEmpty();
            assertThat(api.post(on + "/contexts/" + ctx + "/runs", "{\"code\": \"1\"}").status()).isEqualTo(404);
            assertThat(api.get(on + "/commands").body().path("commands")).isEmpty();
            assertThat(api.get(on + "/commands/" + pid).status()).isEqualTo(404);
            assertThat(api.get(on + "/files/stat?path=left.txt").status()).isEqualTo(404);
            // the released lease's id reaches nothing any more, not even through the member it had
            String old = "/v1/leases/" + first;
            assertThat(api.get(old + "/contexts").text("error")).isEqualTo("LeaseNotFound");
            assertThat(api.get(old + "/commands/" + pid + "/output").text("error")).isEqualTo("LeaseNotFound");
            assertThat(api.getBytes(old + "/files?path=left.txt").statusCode()).isEqualTo(404);
        } finally {
            api.delete("/v1/leases/" + next);
        }
    }

    @Test
    void aForgedLeaseIdReachesNoSandbox() {
        String real = lease("sbx");
        try {
            String hex = real.substring(real.indexOf('.') + 1);
            for (String forged : List.of("sbx.00000000000000000000000000000000", "sbx-one." + hex, "sbx",
                    "sbx." + hex.toUpperCase())) {
                assertThat(api.get("/v1/leases/" + forged + "/commands").status()).as(forged).isEqualTo(404);
                assertThat(api.post("/v1/leases/" + forged + "/commands", "{\"shell\": \"id\"}").status())
                        .as(forged).isEqualTo(404);
                assertThat(api.getBytes("/v1/leases/" + forged + "/files?path=x").statusCode()).as(forged)
                        .isEqualTo(404);
            }
        } finally {
            api.delete("/v1/leases/" + real);
        }
    }
}
