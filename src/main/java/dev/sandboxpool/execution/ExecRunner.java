package dev.sandboxpool.execution;

import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.SandboxBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fallback channel: one exec of the runner per request. Works on every backend; costs an interpreter start per
 * call. Time and output limits are enforced inside the sandbox; the exec deadline is a backstop.
 */
public final class ExecRunner implements Runner {
    private final SandboxBackend backend;
    private final String sandboxId;

    public ExecRunner(SandboxBackend backend, String sandboxId) {
        this.backend = backend;
        this.sandboxId = sandboxId;
    }

    @Override
    public RunnerOutcome run(ExecutionRequest request, long maxOutputBytes) {
        long started = System.nanoTime();
        Map<String, Object> body = RunnerProtocol.run(request, maxOutputBytes);
        ExecOutput out = call(body, request.timeout().plus(RunnerProtocol.GRACE),
                RunnerProtocol.answerBound(maxOutputBytes));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        if (out.timedOut()) {
            return RunnerProtocol.failed("the sandbox did not answer within the time limit", elapsedMs, true);
        }
        String answer = RunnerProtocol.answerIn(out.stdoutText(), RunnerProtocol.nonce(body));
        if (answer == null) {
            return RunnerProtocol.failed(out.overflowed() ? "the runner's answer exceeded its bound"
                    : "the runner ended without a result (exit " + out.exitCode() + "): " + tail(out.stderrText()),
                    elapsedMs, false);
        }
        return RunnerProtocol.toOutcome(answer, elapsedMs);
    }

    @Override
    public Optional<String> clean() {
        return simple(RunnerProtocol.clean(), RunnerProtocol.CLEAN_TIMEOUT, "clean");
    }

    @Override
    public Optional<String> ping() {
        return simple(RunnerProtocol.request("ping"), RunnerProtocol.PING_TIMEOUT, "pong");
    }

    @Override
    public Optional<String> probe(List<String> command, String expectOutput, Duration timeout) {
        ExecOutput out = backend.exec(sandboxId, new ExecCall(command, null, timeout, 65_536));
        return Optional.ofNullable(RunnerProtocol.probeFailure(out.exitCode(), out.timedOut(), out.stdoutText(),
                out.stderrText(), expectOutput, timeout));
    }

    private Optional<String> simple(Map<String, Object> body, Duration timeout, String successField) {
        ExecOutput out = call(body, timeout, 65_536);
        if (out.timedOut()) {
            return Optional.of("no answer within " + timeout.toMillis() + " ms");
        }
        String answer = RunnerProtocol.answerIn(out.stdoutText(), RunnerProtocol.nonce(body));
        if (answer == null) {
            return Optional.of("exit " + out.exitCode() + ": " + tail(out.stderrText()));
        }
        return Optional.ofNullable(RunnerProtocol.failureOf(answer, successField));
    }

    private ExecOutput call(Map<String, Object> body, Duration timeout, long bound) {
        return backend.exec(sandboxId, new ExecCall(SandboxScripts.runnerCommand(), RunnerProtocol.frame(body),
                timeout, bound));
    }

    @Override
    public boolean alive() {
        return true;
    }

    @Override
    public void close() {
        // nothing is held between calls
    }

    static String tail(String text) {
        String t = text.strip();
        return t.length() <= 500 ? t : "..." + t.substring(t.length() - 500);
    }
}
