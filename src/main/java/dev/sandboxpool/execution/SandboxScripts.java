package dev.sandboxpool.execution;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
    private static final String RUNNER = load("runner.py");

    private SandboxScripts() {
    }

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
