package dev.sandboxpool.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The runner of one lease's member, reached only while the lease holds it: the pool checks the lease and holds the
 * member from its clean-up for the length of each call (a call that arrives after the release never reaches a member
 * that may already serve the next lease).
 */
@FunctionalInterface
public interface LeaseChannel {
    /**
     * One runner request ({@code runner.py}), its answer.
     *
     * @throws dev.sandboxpool.pool.LeaseNotActiveException when the lease is no longer active
     * @throws SandboxOpException of kind SANDBOX_FAILED when the runner gave no answer (the member is replaced)
     */
    JsonNode call(Map<String, Object> request, Duration deadline, Consumer<JsonNode> events);

    /**
     * Stops the request with this nonce if it runs (or is yet to run) on the lease's member; never waits, never
     * fails. A channel that cannot cancel does nothing: the request runs to its end.
     */
    default void cancel(String nonce) {
    }

    /** A channel whose calls go to {@code calls} and whose cancels go to {@code cancel}. */
    static LeaseChannel of(LeaseChannel calls, Consumer<String> cancel) {
        return new LeaseChannel() {
            @Override
            public JsonNode call(Map<String, Object> request, Duration deadline, Consumer<JsonNode> events) {
                return calls.call(request, deadline, events);
            }

            @Override
            public void cancel(String nonce) {
                cancel.accept(nonce);
            }
        };
    }
}
