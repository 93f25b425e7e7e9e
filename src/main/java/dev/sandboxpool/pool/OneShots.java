package dev.sandboxpool.pool;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.execution.RunnerOutcome;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One-shot runs of a {@link LeaseEngine}: lease, run and clean in one runner round trip, release. */
final class OneShots {
    private static final Logger log = LoggerFactory.getLogger(OneShots.class);
    private static final int ATTEMPTS = 2;

    private final LeaseEngine engine;

    OneShots(LeaseEngine engine) {
        this.engine = engine;
    }

    /** The internal lease of a one-shot lives as long as its execution may, and a margin. */
    static Duration ttl(ExecutionRequest request) {
        return request.timeout().plus(Pool.ONE_SHOT_TTL_MARGIN);
    }

    /**
     * Runs a one-shot under its internal lease, once more on another member when the first failed through no fault
     * of the code (issue 13 item 8): its runner was found dead before the code was sent, or the backend lost the
     * member while the code ran. A failure the code can cause (its runner killed, a time limit, a flood) is
     * reported, never retried. The internal lease never reaches the caller, nor its end.
     */
    Pool.Execution run(Lease first, ExecutionRequest request, Duration maxWait) {
        Lease lease = first;
        for (int attempt = 1; ; attempt++) {
            OneShot shot = runOneShot(lease, request);
            if (shot.memberFailure() == null) {
                return new Pool.Execution(lease, shot.result());
            }
            if (attempt == ATTEMPTS) {
                return new Pool.Execution(lease, ExecutionResult.sandboxFailed("the sandbox failed: "
                        + shot.memberFailure(), shot.result() == null ? 0 : shot.result().durationMs(), false));
            }
            log.warn("pool {}: one-shot on {} failed through no fault of its code ({}), running it on another member",
                    engine.name(), lease.sandbox(), shot.memberFailure());
            lease = engine.acquireOneShot(maxWait, ttl(request));
        }
    }

    /** A one-shot's result, or why its member failed it (then the result, if any, is not the code's). */
    private record OneShot(ExecutionResult result, String memberFailure) {
    }

    private OneShot runOneShot(Lease lease, ExecutionRequest request) {
        boolean clean = false;
        try {
            RunnerOutcome outcome = engine.executeLast(lease.id(), request);
            clean = outcome.cleaned() && !outcome.damaged();
            return new OneShot(outcome.result(), engine.memberLost(lease.id())
                    ? "its sandbox was lost while the code ran" : null);
        } catch (NotDeliveredException e) {
            return new OneShot(null, e.getMessage());
        } catch (LeaseNotActiveException e) {
            if (engine.memberLost(lease.id())) {
                return new OneShot(null, "its sandbox was lost before the code ran");
            }
            // the internal lease ended otherwise (expired: the run outlived its limit and the margin); the caller
            // never had that lease, so it hears of its sandbox, not of it
            return new OneShot(ExecutionResult.sandboxFailed("the sandbox was taken back before the code finished",
                    0, false), null);
        } finally {
            try {
                engine.release(lease.id(), clean);
            } catch (LeaseNotActiveException ended) {
                // it ended first (lost or expired): its member is being replaced already
            }
        }
    }

    /** A one-shot's code was not sent: its member's runner was found dead first. */
    static final class NotDeliveredException extends RuntimeException {
        NotDeliveredException(String message) {
            super(message);
        }
    }
}
