package dev.sandboxpool.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official E2B SDKs, unchanged, and the scripts that use them: the pytest script under {@code src/test/e2b/python}
 * (PyPI {@code e2b} and {@code e2b-code-interpreter}) and the {@code node --test} script under {@code src/test/e2b/js}
 * (npm {@code e2b} and {@code @e2b/code-interpreter}). The SDKs are installed into {@code target/e2b-sdk} at these
 * exact versions when missing (kept there between runs); a missing Python, pip, Node or npm fails the test, never
 * skips it. Local mode (E2bSdkIT) and a cluster (the e2e tier) run the same scripts.
 */
public final class E2bSdks {
    public static final String PY_E2B = "e2b==2.63.0";
    public static final String PY_INTERPRETER = "e2b-code-interpreter==2.11.5";
    static final String PY_PYTEST = "pytest";
    public static final String JS_E2B = "e2b@2.51.0";
    public static final String JS_INTERPRETER = "@e2b/code-interpreter@2.8.0";
    private static final Path SDKS = Path.of("target/e2b-sdk");

    /** Where the SDKs send their calls, and with which key; whether the image has matplotlib. */
    public record Target(String apiUrl, String sandboxUrl, String apiKey, boolean hasMatplotlib) {
    }

    private E2bSdks() {
    }

    public static void install() throws IOException, InterruptedException {
        installPython();
        installNode();
    }

    public static void runPython(Target target) throws IOException, InterruptedException {
        Path python = SDKS.resolve("venv/bin/python").toAbsolutePath();
        run(List.of(python.toString(), "-m", "pytest", "-v", "-p", "no:cacheprovider",
                Path.of("src/test/e2b/python/test_e2b_sdk.py").toAbsolutePath().toString()), Path.of("."), target);
    }

    public static void runJavascript(Target target) throws IOException, InterruptedException {
        Path node = SDKS.resolve("node");
        Path script = node.resolve("e2b-sdk.test.mjs");
        // run beside its node_modules, so that the script's imports resolve to the installed SDKs
        Files.copy(Path.of("src/test/e2b/js/e2b-sdk.test.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
        run(List.of("node", "--test", "--test-reporter=spec", script.getFileName().toString()), node, target);
    }

    private static void run(List<String> command, Path dir, Target target) throws IOException,
            InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("E2B_API_URL", target.apiUrl());
        env.put("E2B_SANDBOX_URL", target.sandboxUrl());
        env.put("E2B_API_KEY", target.apiKey());
        env.put("SANDBOXPOOL_IMAGE_HAS_MATPLOTLIB", Boolean.toString(target.hasMatplotlib()));
        Path log = Files.createTempFile("e2b-sdk", ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        System.out.println(output);
        assertThat(ended).as("%s did not end in 5 minutes:%n%s", command, output).isTrue();
        assertThat(process.exitValue()).as("%s failed:%n%s", command, output).isZero();
    }

    private static void installPython() throws IOException, InterruptedException {
        Path venv = SDKS.resolve("venv");
        Path marker = venv.resolve("installed-" + PY_E2B + "-" + PY_INTERPRETER);
        if (Files.exists(marker)) {
            return;
        }
        Files.createDirectories(SDKS);
        exec(List.of("python3", "-m", "venv", venv.toString()), Path.of("."));
        exec(List.of(venv.resolve("bin/pip").toString(), "install", "-q", PY_E2B, PY_INTERPRETER, PY_PYTEST),
                Path.of("."));
        Files.createFile(marker);
    }

    private static void installNode() throws IOException, InterruptedException {
        Path node = SDKS.resolve("node");
        Path marker = node.resolve("installed-" + JS_E2B + "-" + JS_INTERPRETER.replace('/', '_'));
        if (Files.exists(marker)) {
            return;
        }
        Files.createDirectories(node);
        Files.writeString(node.resolve("package.json"), "{\"name\":\"e2b-sdk\",\"private\":true}\n");
        exec(List.of("npm", "install", "--no-audit", "--no-fund", JS_E2B, JS_INTERPRETER), node);
        Files.createFile(marker);
    }

    private static void exec(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s failed (the E2B SDK tests install the SDKs and never skip):%n%s",
                command, out).isZero();
    }
}
