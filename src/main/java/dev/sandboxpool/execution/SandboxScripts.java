package dev.sandboxpool.execution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.Deflater;

/**
 * The Python programs the sandbox runs, shipped in this jar and passed with {@code sandboxpool-python3 -I -c}: what
 * runs inside always matches this version of the pool.
 *
 * <p>Every interpreter the product starts in a sandbox is {@link #INTERPRETER}, an execute-only copy of the image's
 * python3 (the image contract, see sandbox/Dockerfile): the kernel makes a process started from a file its user cannot
 * read non-dumpable from its first instruction, so user code of the same uid can never ptrace it or open its /proc
 * files, not even while it starts. {@code -I} (isolated mode) keeps the work dir, HOME's user site and PYTHON*
 * variables out of it: nothing a lease planted in the sandbox runs inside the product's own processes.
 * docs/isolation.md has the whole rule.
 */
public final class SandboxScripts {
    /** The writable places of a sandbox, emptied when it is recycled (/dev/mqueue: POSIX message queues). */
    public static final List<String> WRITABLE_DIRS = List.of("/workspace", "/tmp", "/dev/shm", "/dev/mqueue");
    public static final String WORKDIR = "/workspace";
    /** The execute-only interpreter of the image contract, found on the image's PATH. */
    public static final String INTERPRETER = "sandboxpool-python3";
    private static final List<String> ISOLATED = List.of(INTERPRETER, "-I", "-c");

    private static final String INIT = load("init.py");
    /**
     * One file on purpose, long as it is: it travels as one {@code -c} argument and imports nothing from the
     * sandbox's disk, which user code of an earlier lease could have written.
     */
    private static final String RUNNER = shortened(load("runner.py"));

    private SandboxScripts() {
    }

    /**
     * Scripts longer than this go zlib-compressed: the runner (68 KB) is sent over an exec stream in a cluster, whose
     * websocket messages a server may cap at 64 KiB. Short scripts (the readiness probe, which the runner recognises
     * by its text) go as they are.
     */
    static final int COMPRESS_ABOVE = 16 * 1024;

    /** {@code script} run by the product's interpreter, isolated, with {@code args}. */
    public static List<String> python(String script, List<String> args) {
        List<String> command = new ArrayList<>(ISOLATED);
        command.add(script);
        command.addAll(args);
        return List.copyOf(command);
    }

    /** The script of a command made by {@link #python}, or null for any other command. */
    public static String scriptOf(List<String> command) {
        return command.size() > ISOLATED.size() && command.subList(0, ISOLATED.size()).equals(ISOLATED)
                ? command.get(ISOLATED.size()) : null;
    }

    /** The arguments after the script of a command made by {@link #python}. */
    public static List<String> argsOf(List<String> command) {
        return command.subList(ISOLATED.size() + 1, command.size());
    }

    /** PID 1 of a sandbox: reaps orphans and stops at once on SIGTERM. */
    public static List<String> initCommand() {
        return python(INIT, List.of());
    }

    /** Reads one framed request from stdin, answers it, exits: one exec per request. */
    public static List<String> runnerCommand() {
        return python(RUNNER, List.of());
    }

    /** The persistent runner: answers framed requests until its stdin closes. */
    public static List<String> serveCommand() {
        return python(RUNNER, List.of("serve"));
    }

    /**
     * The persistent runner, which first moves its stream to the Unix socket at {@code socketPath} inside the sandbox
     * (local Docker mode, see runner.py's connect_stream): the first line on its stdin is the token it presents there.
     */
    public static List<String> serveCommand(String socketPath) {
        return python(RUNNER, List.of("serve", "--connect", socketPath));
    }

    /** {@code script}, or when long a short program that runs it, carried zlib-compressed in base64. */
    private static String shortened(String script) {
        if (script.length() <= COMPRESS_ABOVE) {
            return script;
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(script.getBytes(StandardCharsets.UTF_8));
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return "import zlib, base64\nexec(compile(zlib.decompress(base64.b64decode('"
                + Base64.getEncoder().encodeToString(out.toByteArray()) + "')), 'runner.py', 'exec'))\n";
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
