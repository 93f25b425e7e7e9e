package dev.sandboxpool.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.execution.SandboxScripts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long scripts travel over stdin, since the exec API puts the command into a length-capped URL. */
class StdinScriptTest {

    @Test
    void shortCommandsStayAsTheyAre() {
        ExecCall call = ExecCall.of(Duration.ofSeconds(1), "python3", "-c", "print('HEALTH_OK')");

        assertThat(StdinScript.compact(call)).isSameAs(call);
    }

    @Test
    void longScriptRunsFromStdinWithItsArgumentsAndTheRestOfStdin() throws Exception {
        String script = "import sys\n" + "# padding\n".repeat(200)
                + "print(sys.argv[1:], sys.stdin.read().upper())\n";
        ExecCall call = new ExecCall(SandboxScripts.python(script, List.of("/workspace", "/tmp")),
                "rest of stdin".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), 1 << 16);

        ExecCall compact = StdinScript.compact(call);

        assertThat(String.join(" ", compact.command())).hasSizeLessThan(StdinScript.MAX_INLINE_CHARS);
        assertThat(compact.command()).endsWith("/workspace", "/tmp");
        assertThat(run(compact)).isEqualTo("['/workspace', '/tmp'] REST OF STDIN\n");
    }

    @Test
    void theSandboxScriptsAreSentOverStdin() {
        ExecCall runner = new ExecCall(SandboxScripts.runnerCommand(), new byte[] {'1'}, Duration.ofSeconds(1), 1);

        assertThat(StdinScript.compact(runner).command()).containsExactly(SandboxScripts.INTERPRETER, "-I", "-c",
                StdinScript.BOOTSTRAP);
    }

    /** Runs it here, with this machine's python3 for the sandbox's interpreter. */
    private static String run(ExecCall call) throws Exception {
        List<String> command = new ArrayList<>(call.command());
        command.set(0, "python3");
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().write(call.stdin());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
