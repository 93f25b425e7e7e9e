package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Executions and leases through the API Service of the chart (port-forward), in pods the operator keeps warm. */
class LeaseApiE2E {
    @RegisterExtension
    static final ChartRelease release = ChartRelease.withValues();

    /** One member: the next lease lands on the pod the previous one used. */
    @BeforeAll
    static void aPoolOfOne() {
        Instant applied = Instant.now();
        release.apply(TestPools.pool("python", 1, 1)).ok();
        await("python Ready, and served by the API").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    ApiClient.Reply pool = release.api().get("v1/pools/python");
                    assertThat(pool.status()).as("%s", pool.raw().body()).isEqualTo(200);
                    assertThat(pool.body().path("ready").asInt()).as("%s", pool.body()).isEqualTo(1);
                });
        // for the report: how long a user waits from helm install to a pool that serves leases
        System.out.printf("e2e timing: helm install to operator Ready %d ms; pool applied to served %d ms%n",
                release.installDuration().toMillis(), Duration.between(applied, Instant.now()).toMillis());
    }

    @Test
    void aOneShotExecutionThroughTheServiceReturnsItsOutput() {
        ApiClient.Reply r = release.api().post("v1/pools/python/executions", "{\"code\":\"print(6*7)\"}");

        assertThat(r.status()).as("%s", r.raw().body()).isEqualTo(200);
        assertThat(r.text("stdout")).isEqualTo("42\n");
        assertThat(r.body().path("exitCode").asInt()).isZero();
        assertThat(r.text("sandbox")).startsWith("python-");
        assertThat(release.members("python")).extracting(p -> p.getMetadata().getName()).contains(r.text("sandbox"));
    }

    @Test
    void theStatusPageShowsThePodsAndTheExecutionsThisReplicaServed() {
        ApiClient.Reply ran = release.api().post("v1/pools/python/executions", "{\"code\":\"print(1)\"}");
        assertThat(ran.status()).as("%s", ran.raw().body()).isEqualTo(200);

        ApiClient.Reply page = release.api().get("");
        ApiClient.Reply anonymous = new ApiClient(release.apiUri()).get("");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/html"));
        assertThat(page.raw().body()).contains("<section class=\"pool\" data-pool=\"python\">");
        for (var pod : release.members("python")) {
            assertThat(page.raw().body()).contains("data-sandbox=\"" + pod.getMetadata().getName() + "\"");
        }
        // one replica in this release: the execution above is in its recent activity
        assertThat(page.raw().body()).containsPattern("<tr data-outcome=\"ok\"><td><time[^>]*>[^<]*</time></td><td>"
                + ran.text("sandbox") + "</td>");
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void theApiRefusesCallsWithoutTheToken() {
        ApiClient.Reply r = new ApiClient(release.apiUri()).post("v1/pools/python/executions",
                "{\"code\":\"print(1)\"}");

        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void aRecycledPodKeepsNeitherFilesNorProcessesOfTheLeaseBefore() {
        ApiClient api = release.api();
        ApiClient.Reply first = api.post("v1/pools/python/leases", "{\"ttlSeconds\": 120}");
        assertThat(first.status()).as("%s", first.raw().body()).isEqualTo(201);
        String lease = first.text("id");
        ApiClient.Reply planted = api.post("v1/leases/" + lease + "/executions",
                "{\"code\": " + ApiClient.quote(String.join("\n",
                        "import subprocess",
                        "open('/workspace/planted.txt', 'w').write('from the first lease')",
                        "open('/tmp/planted.txt', 'w').write('from the first lease')",
                        "p = subprocess.Popen(['python3', '-c', 'import time; time.sleep(3600)', 'planted-sleeper'],",
                        "                     start_new_session=True)",
                        "print(p.pid)")) + "}");
        assertThat(planted.status()).as("%s", planted.raw().body()).isEqualTo(200);
        assertThat(planted.body().path("exitCode").asInt()).as("%s", planted.body()).isZero();
        ApiClient.Reply stillThere = api.post("v1/leases/" + lease + "/executions",
                "{\"code\": " + ApiClient.quote(LOOK) + "}");
        assertThat(stillThere.text("stdout")).as("within the lease, what it planted stays")
                .contains("workspace True", "tmp True", "sleepers 1");

        assertThat(api.delete("v1/leases/" + lease).status()).isEqualTo(204);

        ApiClient.Reply second = await("a second lease").atMost(Duration.ofMinutes(2))
                .until(() -> api.post("v1/pools/python/leases", "{\"ttlSeconds\": 120}"), r -> r.status() == 201);
        assertThat(second.text("sandbox")).as("the pool has one member").isEqualTo(first.text("sandbox"));
        ApiClient.Reply looked = api.post("v1/leases/" + second.text("id") + "/executions",
                "{\"code\": " + ApiClient.quote(LOOK) + "}");
        assertThat(looked.status()).as("%s", looked.raw().body()).isEqualTo(200);
        assertThat(looked.text("stdout")).contains("workspace False", "tmp False", "sleepers 0");
        assertThat(api.delete("v1/leases/" + second.text("id")).status()).isEqualTo(204);
    }

    /**
     * What the first lease planted, as seen from inside: its files, and its sleeper (found by its argument; the marker
     * is split so this script's own text never matches).
     */
    private static final String LOOK = String.join("\n",
            "import os",
            "print('workspace', os.path.exists('/workspace/planted.txt'))",
            "print('tmp', os.path.exists('/tmp/planted.txt'))",
            "sleepers = 0",
            "for pid in filter(str.isdigit, os.listdir('/proc')):",
            "    try:",
            "        cmd = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')",
            "    except OSError:",
            "        continue",
            "    if ('planted-' + 'sleeper').encode() in cmd:",
            "        sleepers += 1",
            "print('sleepers', sleepers)");
}
