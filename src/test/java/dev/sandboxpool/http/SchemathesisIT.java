package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.ApiClient;
import dev.sandboxpool.testing.DockerTestSupport;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The served API description against the running server, by schemathesis with every check on: status codes,
 * headers, content types and bodies as documented, invalid data refused and valid data accepted, the bearer token
 * enforced, and the links from a created lease to its operations followed (a released lease is gone). Its
 * settings, and why each is what it is, are in {@code src/test/resources/schemathesis.toml}.
 *
 * <p>It runs the pinned schemathesis CLI ({@code ./sandboxpool test} installs it and passes its path as
 * {@code sandboxpool.test.schemathesis}), and fails, never skips, when that cannot be run.
 */
@MicronautTest
@Property(name = "sandboxpool.local.specs", value = "src/test/resources/schemathesis-it-pools.yaml")
@Property(name = "sandboxpool.api.token", value = SchemathesisIT.TOKEN)
class SchemathesisIT {
    static final String TOKEN = "schemathesis-it-token";
    private static final String VERSION = "4.32.5";
    private static final String COMMAND = System.getProperty("sandboxpool.test.schemathesis", "schemathesis");
    /** The run takes about a minute on 2 cores; far beyond that it hangs. */
    private static final Duration LIMIT = Duration.ofMinutes(6);

    @Inject
    EmbeddedServer server;

    @Test
    void theServedDocumentDescribesTheServerExactly() throws Exception {
        DockerTestSupport.docker();
        ApiClient api = new ApiClient(server.getURI(), TOKEN);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(api.get("/v1/pools/schemathesis").body().path("ready").asInt()).isEqualTo(2));
        Run version = run(Duration.ofSeconds(60), COMMAND, "--version");
        assertThat(version.output()).as("the output of %s --version", COMMAND)
                .contains("schemathesis, version " + VERSION);

        String base = "http://127.0.0.1:" + server.getPort();
        Run run = run(LIMIT, COMMAND, "--config-file", "src/test/resources/schemathesis.toml", "--no-color",
                "run", base + "/openapi.yml", "--url", base, "--checks", "all");

        assertThat(run.exitCode()).as("schemathesis found failures (report: target/schemathesis/):%n%s",
                run.output()).isZero();
    }

    record Run(int exitCode, String output) {
    }

    private static Run run(Duration limit, String... command) throws IOException, InterruptedException {
        Path out = Files.createDirectories(Path.of("target", "schemathesis")).resolve("output.txt");
        List<String> cmd = List.of(command);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("SANDBOXPOOL_IT_TOKEN", TOKEN);
        // hypothesis (schemathesis's generator) keeps examples and caches there, not in the project directory
        builder.environment().put("HYPOTHESIS_STORAGE_DIRECTORY", "target/schemathesis/hypothesis");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + COMMAND + " (" + e.getMessage() + "): this test needs "
                    + "schemathesis " + VERSION + " and never skips. Install it with `pip install schemathesis=="
                    + VERSION + "` (./sandboxpool test does), or point -Dsandboxpool.test.schemathesis at it.", e);
        }
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within " + limit + ":\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
