package dev.sandboxpool.testing;

import com.github.dockerjava.api.DockerClient;
import dev.sandboxpool.backend.docker.DockerClients;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Docker daemon of the test's own, beside the one every other test uses, so a test can stop and restart a real
 * daemon (a Docker outage, issue 13 item 1) without touching anyone else's containers. Its data root persists
 * between runs, so the sandbox image is copied into it (docker save | docker load, about 20 s) only when it changed.
 * Needs root and dockerd on the PATH, as {@code ./sandboxpool test} provides; fails, never skips, without them.
 */
public final class PrivateDockerDaemon implements AutoCloseable {
    private static final Path DATA_ROOT = Path.of("/var/lib/sandboxpool-test-docker");
    private static final Path EXEC_ROOT = Path.of("/run/sandboxpool-test-docker");
    private static final Path SOCKET = Path.of("/run/sandboxpool-test-docker.sock");
    private static final Path PID_FILE = Path.of("/run/sandboxpool-test-docker.pid");
    private static final Path LOG = Path.of("target/private-dockerd.log");
    public static final String HOST = "unix://" + SOCKET;
    private static final String BRIDGE = "br-sbp-test";

    private Process daemon;

    /** Starts the daemon and gives it the sandbox image of the shared daemon. */
    public static PrivateDockerDaemon startWithSandboxImage() throws IOException, InterruptedException {
        PrivateDockerDaemon d = new PrivateDockerDaemon();
        d.start();
        d.copyImage(DockerTestSupport.IMAGE);
        return d;
    }

    /** A new client of this daemon (it holds no connection to one that stopped). */
    public DockerClient client() {
        return DockerClients.connect(HOST);
    }

    public synchronized void start() throws IOException, InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            return;
        }
        stopLeftover();
        Files.createDirectories(DATA_ROOT);
        Files.createDirectories(EXEC_ROOT);
        Files.createDirectories(LOG.getParent());
        ensureBridge();
        // a bridge of its own, never "--bridge none": a dockerd without a bridge deletes the interface docker0 at
        // start, the one the shared daemon's containers need (found the hard way)
        daemon = new ProcessBuilder("dockerd", "--host", HOST, "--data-root", DATA_ROOT.toString(),
                "--exec-root", EXEC_ROOT.toString(), "--pidfile", PID_FILE.toString(), "--bridge", BRIDGE,
                "--iptables=false", "--ip-masq=false")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!answers()) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the test's own dockerd did not come up within 30 s (log: "
                        + LOG.toAbsolutePath() + "):\n" + tail());
            }
            Thread.sleep(200);
        }
    }

    /** The bridge the daemon's default network uses (it creates none itself when given one by name). */
    private static void ensureBridge() throws IOException, InterruptedException {
        if (run(List.of("ip", "link", "show", BRIDGE)).isPresent()) {
            return;
        }
        for (List<String> step : List.of(List.of("ip", "link", "add", BRIDGE, "type", "bridge"),
                List.of("ip", "addr", "add", "172.31.250.1/24", "dev", BRIDGE),
                List.of("ip", "link", "set", BRIDGE, "up"))) {
            if (run(step).isEmpty()) {
                throw new AssertionError("cannot make the test daemon's bridge: " + String.join(" ", step));
            }
        }
    }

    /** Stops the daemon as a restart of Docker does: its containers are stopped with it. */
    public synchronized void stop() throws InterruptedException {
        if (daemon == null) {
            return;
        }
        daemon.destroy(); // SIGTERM: dockerd shuts its containers and containerd down, then exits
        if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        daemon = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private boolean answers() throws IOException, InterruptedException {
        return docker(List.of("version", "--format", "{{.Server.Version}}")).isPresent();
    }

    /** A daemon of an earlier run that was not stopped (a killed test JVM) would hold the socket and data root. */
    private static void stopLeftover() throws IOException, InterruptedException {
        if (!Files.exists(PID_FILE)) {
            return;
        }
        String pid = Files.readString(PID_FILE).strip();
        Optional<ProcessHandle> old = pid.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(pid));
        if (old.isPresent() && old.get().info().command().orElse("").endsWith("dockerd")) {
            old.get().destroy();
            try {
                old.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("a dockerd of an earlier test run (pid " + pid + ") does not stop", e);
            }
        }
    }

    private void copyImage(String image) throws IOException, InterruptedException {
        Optional<String> want = sharedDocker(List.of("image", "inspect", "--format", "{{.Id}}", image));
        if (want.isEmpty()) {
            throw new AssertionError("the shared daemon has no " + image + " to copy");
        }
        if (want.equals(docker(List.of("image", "inspect", "--format", "{{.Id}}", image)))) {
            return;
        }
        File archive = File.createTempFile("sandbox-image", ".tar");
        try {
            Process save = new ProcessBuilder("docker", "save", "-o", archive.getPath(), image)
                    .redirectErrorStream(true).start();
            String saved = new String(save.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (save.waitFor() != 0) {
                throw new AssertionError("docker save " + image + " failed: " + saved);
            }
            if (docker(List.of("load", "-q", "-i", archive.getPath())).isEmpty()) {
                throw new AssertionError("cannot load " + image + " into the test's own dockerd");
            }
        } finally {
            archive.delete();
        }
    }

    /** Runs the docker CLI against this daemon; its output when it succeeded. */
    private static Optional<String> docker(List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("docker", "--host", HOST));
        command.addAll(args);
        return run(command);
    }

    /** Runs the docker CLI against the daemon every other test uses. */
    private static Optional<String> sharedDocker(List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(args);
        return run(command);
    }

    private static Optional<String> run(List<String> command)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        return done && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    }

    private static String tail() {
        try {
            List<String> lines = Files.readAllLines(LOG);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
