package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.execution.SandboxScripts;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Moves the script of a long {@code sandboxpool-python3 -I -c SCRIPT} command to stdin. The exec API carries the command in the
 * request URL, which API servers and the proxies in front of them cap (often at a few KiB); the runner and clean-up
 * scripts are longer. A short bootstrap reads the script as a length-framed prefix of stdin and runs it as
 * {@code -c} would, with the same arguments; the script then reads the rest of stdin as before.
 */
final class StdinScript {
    /** Commands longer than this go over stdin. */
    static final int MAX_INLINE_CHARS = 1024;
    static final String BOOTSTRAP = "import sys;n=int(sys.stdin.buffer.readline());"
            + "exec(compile(sys.stdin.buffer.read(n),'<sandbox-pool>','exec'),{'__name__':'__main__'})";

    private StdinScript() {
    }

    static ExecCall compact(ExecCall call) {
        List<String> cmd = call.command();
        String inline = SandboxScripts.scriptOf(cmd);
        if (inline == null || cmd.stream().mapToInt(String::length).sum() <= MAX_INLINE_CHARS) {
            return call;
        }
        byte[] script = inline.getBytes(StandardCharsets.UTF_8);
        byte[] header = (script.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] stdin = new byte[header.length + script.length + call.stdin().length];
        System.arraycopy(header, 0, stdin, 0, header.length);
        System.arraycopy(script, 0, stdin, header.length, script.length);
        System.arraycopy(call.stdin(), 0, stdin, header.length + script.length, call.stdin().length);
        return new ExecCall(SandboxScripts.python(BOOTSTRAP, SandboxScripts.argsOf(cmd)), stdin, call.timeout(),
                call.maxOutputBytes());
    }
}
