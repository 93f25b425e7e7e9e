package dev.sandboxpool.pool;

import static dev.sandboxpool.api.v1alpha1.Condition.FALSE;
import static dev.sandboxpool.api.v1alpha1.Condition.TRUE;

import dev.sandboxpool.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives Ready, Progressing and Degraded from a pool's counts, and keeps each condition's
 * {@code lastTransitionTime} unchanged until its status flips (Kubernetes API conventions). Ready means the pool
 * has its warm members (at least minSize, and at least one while its members fail to start). A transition is dated
 * by the {@link #update} that sees it: callers update on every change of the counts they know of, not only when
 * someone reads the conditions.
 */
public final class PoolConditions {
    private final Map<String, Condition> last = new HashMap<>();

    /**
     * Counts that the conditions are derived from; {@code backendProblem} says why the backend does not answer, null
     * while it does.
     */
    public record Inputs(int minSize, int maxSize, int replicas, int ready, int leased, int cleaning, int starting,
            int terminating, int waiters, int startFailures, String lastStartError, String backendProblem) {

        public Inputs(int minSize, int maxSize, int replicas, int ready, int leased, int cleaning, int starting,
                int terminating, int waiters, int startFailures, String lastStartError) {
            this(minSize, maxSize, replicas, ready, leased, cleaning, starting, terminating, waiters, startFailures,
                    lastStartError, null);
        }
    }

    public synchronized List<Condition> update(Inputs in, Instant now) {
        List<Condition> out = new ArrayList<>();
        boolean failing = in.startFailures() > 0;
        String startProblem = "members fail to start (" + in.startFailures() + " in a row, backing off): "
                + in.lastStartError();

        // a member being cleaned after a lease is warm: it is back in milliseconds. The message names no count that
        // every lease moves (status has them): it changes only when the condition does, not once per lease
        int warm = in.ready() + in.leased() + in.cleaning();
        String away = in.backendProblem() == null ? null
                : "the backend does not answer, no member can be created, used or removed until it does: "
                        + in.backendProblem();
        if (away != null) {
            out.add(track(Condition.TYPE_READY, FALSE, Condition.REASON_BACKEND_UNAVAILABLE, away, now));
        } else if (warm >= in.minSize() && !(failing && warm == 0)) {
            // with minSize 0 "minSize warm" always holds: a pool none of whose members start cannot serve anyone
            out.add(track(Condition.TYPE_READY, TRUE, Condition.REASON_POOL_READY,
                    "at least minSize (" + in.minSize() + ") members are warm: ready, leased or being cleaned", now));
        } else if (failing) {
            out.add(track(Condition.TYPE_READY, FALSE, Condition.REASON_START_FAILING, startProblem, now));
        } else {
            out.add(track(Condition.TYPE_READY, FALSE, Condition.REASON_WARMING,
                    in.ready() + " of " + in.minSize() + " warm members ready, " + in.starting() + " starting", now));
        }

        if (in.starting() > 0 || in.terminating() > 0) {
            out.add(track(Condition.TYPE_PROGRESSING, TRUE, Condition.REASON_SCALING,
                    in.starting() + " starting, " + in.terminating() + " terminating", now));
        } else if (failing && in.replicas() < in.minSize()) {
            // not stable: it is short of its shape and cannot get there (say, every pod refused by the API server)
            out.add(track(Condition.TYPE_PROGRESSING, FALSE, Condition.REASON_START_FAILING, in.replicas() + " of "
                    + in.minSize() + " members: " + startProblem, now));
        } else {
            out.add(track(Condition.TYPE_PROGRESSING, FALSE, Condition.REASON_STABLE, "the pool has its declared shape",
                    now));
        }

        if (away != null) {
            out.add(track(Condition.TYPE_DEGRADED, TRUE, Condition.REASON_BACKEND_UNAVAILABLE, away, now));
        } else if (failing) {
            out.add(track(Condition.TYPE_DEGRADED, TRUE, Condition.REASON_START_FAILING, startProblem, now));
        } else if (in.waiters() > 0 && in.replicas() >= in.maxSize()) {
            out.add(track(Condition.TYPE_DEGRADED, TRUE, Condition.REASON_AT_CAPACITY,
                    in.waiters() + " callers wait: all " + in.maxSize() + " members are busy", now));
        } else {
            out.add(track(Condition.TYPE_DEGRADED, FALSE, Condition.REASON_AS_EXPECTED, "nothing is wrong", now));
        }
        return out;
    }

    private Condition track(String type, String status, String reason, String message, Instant now) {
        Condition previous = last.get(type);
        Condition c = new Condition(type, status, reason, message);
        boolean flipped = previous == null || !previous.getStatus().equals(status);
        c.setLastTransitionTime(flipped ? now.toString() : previous.getLastTransitionTime());
        last.put(type, c);
        return c;
    }
}
