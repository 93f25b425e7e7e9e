package dev.sandboxpool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bench's E2B rows: the real Python SDK from PyPI, timed by the script {@code bench/e2b_sdk_bench.py} (in the
 * jar) around each SDK call. The timing lives in Python so that the rows hold what a Python caller waits for, the
 * SDK's HTTP client included, and not the start of an interpreter per call.
 *
 * <p>The python is that of a virtualenv holding the pinned SDKs, which {@code ./sandboxpool bench} makes when missing
 * and names in {@value #PYTHON_ENV}. Without it, or with other versions, the bench fails before it measures anything:
 * it never leaves these rows out.
 */
final class PythonSdkDriver {
    static final String PYTHON_ENV = "SANDBOXPOOL_BENCH_E2B_PYTHON";
    /** The same pins as the launcher's {@code ensure_e2b_sdk}, E2bSdkIT and docs/e2b.md. */
    static final Map<String, String> PINNED = Map.of("e2b", "2.63.0", "e2b-code-interpreter", "2.11.5");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What one run of the script measured: the SDK versions, each scenario's statistics, and the p50 in milliseconds
     * of each part of create + run_code + kill (create, firstRunCode, kill), to say where its time goes.
     */
    record Result(Map<String, String> versions, Load.Stats runCode, Load.Stats createRunKill,
            Map<String, Double> createRunKillPartsP50) {
    }

    private final Path python;
    private final Path script;

    private PythonSdkDriver(Path python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** The driver with the python {@value #PYTHON_ENV} names, checked to hold the pinned SDK versions. */
    static PythonSdkDriver fromEnvironment() throws IOException, InterruptedException {
        String python = System.getenv(PYTHON_ENV);
        if (python == null || python.isBlank()) {
            throw new IllegalStateException(PYTHON_ENV + " is not set: run the bench as ./sandboxpool bench, which "
                    + "installs e2b " + PINNED.get("e2b") + " and e2b-code-interpreter "
                    + PINNED.get("e2b-code-interpreter") + " into a virtualenv under ~/.cache/sandboxpool, or set it "
                    + "to the python of one that holds them");
        }
        if (!Files.isExecutable(Path.of(python))) {
            throw new IllegalStateException(PYTHON_ENV + "=" + python + " is not an executable python");
        }
        PythonSdkDriver driver = new PythonSdkDriver(Path.of(python), extractScript());
        Map<String, String> versions = parseVersions(driver.exec(Map.of(), Duration.ofSeconds(60), "versions"));
        if (!versions.equals(PINNED)) {
            throw new IllegalStateException(python + " holds " + versions + ", the bench's E2B rows need exactly "
                    + PINNED + " (./sandboxpool bench installs them)");
        }
        return driver;
    }

    /**
     * Runs both scenarios against the application's E2B API at {@code e2bBase} (its {@code /e2b} URL): warm
     * {@code run_code} iterations in one sandbox, then create + first {@code run_code} + kill iterations, each after
     * {@code warmup} untimed ones.
     */
    Result run(URI e2bBase, String template, int warmup, int runCodeIterations, int createIterations)
            throws IOException, InterruptedException {
        Map<String, String> env = Map.of("E2B_API_URL", e2bBase.toString(), "E2B_SANDBOX_URL", e2bBase.toString(),
                // the bench's application runs without an API token: the SDK only needs a key to send
                "E2B_API_KEY", "e2b_bench-without-a-token");
        return parse(exec(env, Duration.ofMinutes(5), "run", template, Integer.toString(warmup),
                Integer.toString(runCodeIterations), Integer.toString(createIterations)));
    }

    static Map<String, String> parseVersions(String json) {
        Map<String, String> versions = new LinkedHashMap<>();
        read(json).fields().forEachRemaining(e -> versions.put(e.getKey(), e.getValue().asText()));
        return versions;
    }

    /** The script's output of {@code run}: its samples as the bench's {@link Load.Stats}. */
    static Result parse(String json) {
        JsonNode root = read(json);
        return new Result(parseVersions(root.path("versions").toString()), series(root, "runCode"),
                series(root, "createRunKill"), partsP50(root.path("createRunKill").path("phases")));
    }

    private static Map<String, Double> partsP50(JsonNode phases) {
        Map<String, Double> p50 = new LinkedHashMap<>();
        phases.fields().forEachRemaining(e -> {
            List<Long> nanos = new ArrayList<>();
            e.getValue().forEach(n -> nanos.add(n.asLong()));
            nanos.sort(null);
            p50.put(e.getKey(), Load.percentile(nanos, 50));
        });
        return p50;
    }

    private static Load.Stats series(JsonNode root, String name) {
        JsonNode s = root.path(name);
        if (!s.path("nanos").isArray() || !s.path("seconds").isNumber()) {
            throw new IllegalStateException("the SDK driver's output has no samples for " + name + ": " + root);
        }
        List<Long> nanos = new ArrayList<>();
        s.path("nanos").forEach(n -> nanos.add(n.asLong()));
        return Load.stats(nanos, s.path("seconds").asDouble(), s.path("errors").asInt(),
                s.path("firstError").isTextual() ? s.path("firstError").asText() : null);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("the SDK driver printed no JSON: " + json, e);
        }
    }

    /** Runs the script, its output and errors in files (no pipe to fill up); fails with its errors on exit != 0. */
    private String exec(Map<String, String> env, Duration timeout, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("sandboxpool-bench-e2b-", ".json");
        Path err = Files.createTempFile("sandboxpool-bench-e2b-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeout
                        + ":\n" + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                        + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path extractScript() throws IOException {
        Path file = Files.createTempFile("sandboxpool-bench-", ".py");
        try (InputStream in = PythonSdkDriver.class.getResourceAsStream("/bench/e2b_sdk_bench.py")) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("bench/e2b_sdk_bench.py is not in the jar"));
            }
            Files.write(file, in.readAllBytes());
        }
        file.toFile().deleteOnExit();
        return file;
    }
}
