package dev.sandboxpool.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The application jar in a process of its own, as a user runs it: {@code java [options] -jar sandbox-pool.jar MODE},
 * its output in a log file. Closing it sends SIGTERM (the application's graceful stop removes what it made) and waits.
 */
final class ChildJvm implements AutoCloseable {
    /** The JVM options the launcher starts the application with ({@code ./sandboxpool bench} passes them on). */
    static final List<String> LAUNCHER_OPTIONS = List.of(
            System.getenv().getOrDefault("SANDBOXPOOL_JAVA_OPTS", "").trim().split("\\s+")).stream()
            .filter(o -> !o.isEmpty()).toList();

    private final Process process;
    private final String name;
    private final Path log;

    private ChildJvm(Process process, String name, Path log) {
        this.process = process;
        this.name = name;
        this.log = log;
    }

    /**
     * @param properties {@code -D} options after the launcher's
     * @param env added to this process's environment
     */
    static ChildJvm start(String name, Path jar, String mode, List<String> properties, Map<String, String> env)
            throws IOException {
        Path log = Files.createTempFile("sandboxpool-bench-" + name + "-", ".log");
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(LAUNCHER_OPTIONS);
        command.addAll(properties);
        command.addAll(List.of("-jar", jar.toString(), mode));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        System.out.println("  " + name + " log: " + log);
        return new ChildJvm(pb.start(), name, log);
    }

    long pid() {
        return process.pid();
    }

    /** Fails at once when the process has ended, naming its log. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ", see " + log);
        }
    }

    /** Waits until {@code url} answers 200 (a readiness endpoint, or a pool listing). */
    void awaitOk(HttpClient http, URI url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + ": " + url + " not 200 within " + timeout + ", see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
