package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.execution.CleanUp;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.execution.Runner;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a member's lease for good: cleans it through the runner (every process killed, writable dirs emptied; through
 * a persistent runner, or one exec of the runner per attempt) and marks it idle, or retires it. Used by lease API
 * replicas on release and by the operator on expired leases. Only the operator deletes what it retires: the lease
 * API's ServiceAccount may not delete pods (it parses untrusted requests), so a pod it retires waits for the
 * operator, which deletes every retiring pod it sees.
 */
public final class MemberRecycler {
    private static final Logger log = LoggerFactory.getLogger(MemberRecycler.class);
    private static final int CLEANUP_ATTEMPTS = 3;

    private final KubernetesBackend backend;
    private final PodCas cas;
    private final Clock clock;
    private final boolean deletesRetired;

    private MemberRecycler(KubernetesBackend backend, PodCas cas, Clock clock, boolean deletesRetired) {
        this.backend = backend;
        this.cas = cas;
        this.clock = clock;
        this.deletesRetired = deletesRetired;
    }

    /** The operator's: a pod it retires is deleted at once. */
    public static MemberRecycler deleting(KubernetesBackend backend, PodCas cas, Clock clock) {
        return new MemberRecycler(backend, cas, clock, true);
    }

    /** A lease API replica's: a pod it retires is only marked retiring, and the operator deletes it. */
    public static MemberRecycler retiringOnly(KubernetesBackend backend, PodCas cas, Clock clock) {
        return new MemberRecycler(backend, cas, clock, false);
    }

    /** What became of a member given to {@link #recycle}. */
    public enum Outcome {
        /** Clean and idle again. */
        RECYCLED,
        /** The clean-up failed: retired (and deleted, or left to the operator to delete). */
        RETIRED,
        /** Someone else acted on it meanwhile (the operator retired it as stuck): nothing more to do here. */
        TAKEN
    }

    /**
     * Cleans a pod this process moved to cleaning, as written by that move, with one exec of the runner per attempt.
     */
    public Outcome recycle(Pod cleaning) {
        return recycle(cleaning, new ExecRunner(backend, cleaning.getMetadata().getName()));
    }

    /** The same through a given runner (a lease API replica's persistent one). */
    public Outcome recycle(Pod cleaning, Runner runner) {
        MemberPod m = new MemberPod(cleaning);
        Instant since = m.stateSince();
        String failure = clean(m.name(), runner);
        if (failure == null) {
            Optional<Pod> idle = cas.update(cleaning, stillCleaning(since), p -> PodEdits.toIdle(p, clock.instant()));
            return idle.isPresent() ? Outcome.RECYCLED : Outcome.TAKEN;
        }
        log.warn("pod {}/{}: clean-up failed, deleting it: {}", m.namespace(), m.name(), failure);
        return retire(cleaning, stillCleaning(since)) ? Outcome.RETIRED : Outcome.TAKEN;
    }

    /**
     * Moves the pod to retiring, so nobody claims it again, and deletes it unless this is a lease API replica's.
     *
     * @param check whether the pod (as read again after a conflict) may still be retired
     * @return false when the check failed: someone else changed the pod first
     */
    public boolean retire(Pod pod, Predicate<MemberPod> check) {
        return retire(pod, check, p -> p);
    }

    /** The same, with {@code alsoWrite} applied in the same write (say, the executions the ending lease ran). */
    public boolean retire(Pod pod, Predicate<MemberPod> check, UnaryOperator<Pod> alsoWrite) {
        Optional<Pod> retiring = cas.update(pod, check,
                p -> alsoWrite.apply(PodEdits.toRetiring(p, clock.instant())));
        if (deletesRetired) {
            retiring.ifPresent(p -> backend.destroy(p.getMetadata().getName()));
        }
        return retiring.isPresent();
    }

    private static Predicate<MemberPod> stillCleaning(Instant since) {
        return m -> m.state() == MemberState.CLEANING && m.stateSince().equals(since);
    }

    /** Null when clean, else why not. */
    private static String clean(String pod, Runner runner) {
        return CleanUp.run(pod, runner, CLEANUP_ATTEMPTS, e -> { }).orElse(null);
    }
}
