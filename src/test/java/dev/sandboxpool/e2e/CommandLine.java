package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the tools a user runs (kubectl, helm) as processes, so the tests see what a user sees, output and exit status.
 * Output goes to files, not pipes: a chatty command cannot block on a full pipe while we wait for it.
 */
final class CommandLine {
    private CommandLine() {
    }

    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Fails the test unless the command succeeded; returns this for its output. */
        Result ok() {
            assertThat(exitCode).as("%s exited %d%nstdout: %s%nstderr: %s", String.join(" ", command), exitCode,
                    stdout, stderr).isZero();
            return this;
        }

        String output() {
            return stdout + stderr;
        }
    }

    static Result run(Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("e2e-cmd", ".out");
            Path err = Files.createTempFile("e2e-cmd", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    fail("%s did not end within %s; stdout: %s stderr: %s", String.join(" ", command), timeout,
                            Files.readString(out), Files.readString(err));
                }
                return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
