package dev.sandboxpool.execution;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Python programs the sandbox runs, shipped in this jar and passed with {@code python3 -c}: any image with
 * python3 works, and what runs inside always matches this version of the pool.
 */
public final class SandboxScripts {
    /** The writable places of a sandbox, emptied when it is recycled. */
    public static final List<String> WRITABLE_DIRS = List.of("/workspace", "/tmp", "/dev/shm");
    public static final String WORKDIR = "/workspace";

    private static final String INIT = load("init.py");
    private static final String RUNNER = load("runner.py");

    private SandboxScripts() {
    }

    /** PID 1 of a sandbox: reaps orphans and stops at once on SIGTERM. */
    public static List<String> initCommand() {
        return List.of("python3", "-c", INIT);
    }

    /** Reads one framed request from stdin, answers it, exits: one exec per request. */
    public static List<String> runnerCommand() {
        return List.of("python3", "-c", RUNNER);
    }

    /** The persistent runner: answers framed requests until its stdin closes. */
    public static List<String> serveCommand() {
        return List.of("python3", "-c", RUNNER, "serve");
    }

    private static String load(String name) {
        try (InputStream in = SandboxScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing sandbox script " + name + " in the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
