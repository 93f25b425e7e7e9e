package dev.sandboxpool.execution;

import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.backend.SandboxGoneException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one clean-up of a member after a lease, and the one way to reach its runner, in both modes (a local member, a
 * pod): the runner kills every process but itself and PID 1 and empties the writable dirs, retried a few times; a
 * member whose runner is gone (user code killed it) is never cleaned, whatever state it looks to be in, and so never
 * reused.
 */
public final class CleanUp {
    private static final Logger log = LoggerFactory.getLogger(CleanUp.class);

    private CleanUp() {
    }

    /**
     * Cleans through {@code runner}, up to {@code attempts} times.
     *
     * @param failed told of every failed attempt's exception (a backend that does not answer is noted there)
     * @return why the member is not clean, or empty when it is
     */
    public static Optional<String> run(String member, Runner runner, int attempts,
            Consumer<RuntimeException> failed) {
        String failure = "not tried";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (!runner.alive()) {
                return Optional.of("its runner is gone (killed during the lease)");
            }
            try {
                Optional<String> dirty = runner.clean();
                if (dirty.isEmpty()) {
                    return Optional.empty();
                }
                failure = dirty.get();
            } catch (SandboxGoneException e) {
                return Optional.of("sandbox gone");
            } catch (RuntimeException e) {
                failed.accept(e);
                failure = e.getMessage();
            }
            log.warn("member {}: clean-up attempt {} of {} failed: {}", member, attempt, attempts, failure);
        }
        return Optional.of(failure);
    }

    /** The member's runner: a persistent session where the backend can hold one, else one exec per request. */
    public static Runner open(SandboxBackend backend, String sandboxId) {
        return RunnerSession.open(backend, sandboxId).<Runner>map(r -> r)
                .orElseGet(() -> new ExecRunner(backend, sandboxId));
    }
}
