package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.http.ApiConfig;
import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.http.ExecutionRequests;
import dev.sandboxpool.http.RequestText;
import dev.sandboxpool.sandbox.CommandSpec;
import dev.sandboxpool.spec.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a command body against the API's and the pool's limits, naming the field, before the sandbox is asked:
 * the same limits as an execution's code, stdin, env and timeout.
 */
final class CommandRequests {
    static final int MAX_TAG_CHARS = 256;

    private CommandRequests() {
    }

    static CommandSpec from(CommandBody body, PoolSettings pool, ApiConfig api) {
        if ((body.cmd() == null) == (body.shell() == null)) {
            throw ApiException.badRequest("cmd", "give either cmd (an argv) or shell (a line for /bin/sh -c), one"
                    + " of them");
        }
        List<String> argv = body.cmd() != null ? argv(body.cmd(), api) : shell(body.shell(), api);
        Map<String, String> env = body.env() == null ? Map.of() : body.env();
        env.forEach(ExecutionRequests::checkEnv);
        String cwd = body.cwd() == null ? null : SandboxPaths.check("cwd", body.cwd());
        byte[] stdin = null;
        if (body.stdin() != null) {
            RequestText.requirePaired("stdin", body.stdin());
            stdin = body.stdin().getBytes(StandardCharsets.UTF_8);
            if (stdin.length > api.getMaxStdinBytes()) {
                throw ApiException.badRequest("stdin", "is larger than " + api.getMaxStdinBytes() + " bytes");
            }
        }
        boolean background = Boolean.TRUE.equals(body.background());
        boolean keepOpen = Boolean.TRUE.equals(body.keepStdinOpen());
        if (keepOpen && !background) {
            // nobody could write to it: a foreground call holds the caller until the command ends
            throw ApiException.badRequest("keepStdinOpen", "applies to a background command only");
        }
        if (body.tag() != null) {
            RequestText.requirePaired("tag", body.tag());
            if (body.tag().codePointCount(0, body.tag().length()) > MAX_TAG_CHARS) {
                throw ApiException.badRequest("tag", "is longer than " + MAX_TAG_CHARS + " characters");
            }
        }
        return new CommandSpec(argv, env, cwd, stdin, keepOpen, ExecutionRequests.timeout(body.timeoutSeconds(),
                pool), body.tag());
    }

    private static List<String> argv(List<String> cmd, ApiConfig api) {
        if (cmd.isEmpty()) {
            throw ApiException.badRequest("cmd", "must name a program: [\"ls\", \"-l\"]");
        }
        long size = 0;
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < cmd.size(); i++) {
            String arg = cmd.get(i);
            String field = "cmd[" + i + "]";
            requireArgument(field, arg);
            size += arg.getBytes(StandardCharsets.UTF_8).length;
            argv.add(arg);
        }
        if (size > api.getMaxCodeBytes()) {
            throw ApiException.badRequest("cmd", "is larger than " + api.getMaxCodeBytes() + " bytes");
        }
        return argv;
    }

    private static List<String> shell(String line, ApiConfig api) {
        requireArgument("shell", line);
        if (line.getBytes(StandardCharsets.UTF_8).length > api.getMaxCodeBytes()) {
            throw ApiException.badRequest("shell", "is larger than " + api.getMaxCodeBytes() + " bytes");
        }
        return List.of("/bin/sh", "-c", line);
    }

    /** A process argument is a C string: no NUL; and it must have a UTF-8 form. */
    private static void requireArgument(String field, String arg) {
        if (arg.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, "contains a NUL character, which a process argument cannot hold");
        }
        RequestText.requirePaired(field, arg);
    }
}
