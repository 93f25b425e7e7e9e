package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.execution.ExecRunner;
import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.execution.RunnerSession;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent runners this lease API replica holds: one per pod it ran code in, opened at the first execution
 * there and kept attached (one exec stream) across executions and leases, so an execution is a round trip on an open
 * stream instead of an exec. Leases live on the pods, so any replica may serve a pod next; each holds its own.
 *
 * <p>A runner's stream ends for one of two reasons. User code killed the runner: the sandbox must not be reused, as
 * in local mode. Or the pod was cleaned by someone else (another replica's release, the operator reclaiming an
 * expired lease): a clean-up kills every process but PID 1 and the runner doing it, so other replicas' runners go
 * with it, which is expected. The lease a runner last served tells them apart: nobody else cleans a pod while a lease
 * holds it, so a runner that ended while serving the current lease was killed from inside. A stream can also be cut
 * on the way (a proxy's idle timeout, an API server restart): it then ends without the runner's exit status, the
 * runner ends with its stdin, and a new one is opened, also within a lease.
 */
final class ClusterRunners implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterRunners.class);
    private final SandboxBackend backend;
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    ClusterRunners(SandboxBackend backend) {
        this.backend = backend;
    }

    /** A runner and the lease it last served. */
    private static final class Held {
        final RunnerSession session;
        volatile String lease;

        Held(RunnerSession session, String lease) {
            this.session = session;
            this.lease = lease;
        }
    }

    /**
     * A runner for an execution. {@code fresh}: opened for it, so it may have started after a clean-up that began
     * before; one held from earlier was there when any later clean-up ran, and was ended by it.
     */
    record Attached(Runner runner, boolean fresh) {
        /** Whether it stays attached between requests, so it can hold a lease's commands and contexts. */
        boolean holdsState() {
            return runner instanceof RunnerSession;
        }
    }

    /**
     * The runner for an execution under {@code lease} on {@code pod}: the held one, or a new one when there is none or
     * a clean-up ended it.
     *
     * @throws BackendException when the runner that served this lease is gone (user code killed it), or a new one
     *     cannot be started
     */
    Attached forExecution(String pod, String lease) {
        Held h = held.get(pod);
        if (h != null && lease.equals(h.lease)) {
            if (h.session.alive()) {
                return new Attached(h.session, false);
            }
            held.remove(pod, h);
            if (!h.session.streamBroke()) {
                throw new BackendException("the runner in pod " + pod + " was killed during this lease");
            }
            // The connection was cut while the runner ran (an idle timeout of a proxy on the way, an API server
            // restart); the runner ended with its stdin, the sandbox is as the last answer left it: a new one.
            log.info("pod {}: the runner's exec stream was cut; opening a new one", pod);
            h = null;
        }
        // First use in this lease: a clean-up by another process since the last one may have ended the runner
        // before its stream's end reached us. A ping (no user code) tells, instead of a failed execution.
        if (h != null && h.session.alive() && h.session.ping().isEmpty()) {
            h.lease = lease;
            return new Attached(h.session, false);
        }
        if (h != null) {
            held.remove(pod, h);
            h.session.close();
        }
        Optional<RunnerSession> opened = RunnerSession.open(backend, pod);
        if (opened.isEmpty()) {
            return new Attached(new ExecRunner(backend, pod), true);
        }
        Held replaced = held.put(pod, new Held(opened.get(), lease));
        if (replaced != null) {
            replaced.session.close();
        }
        return new Attached(opened.get(), true);
    }

    /** The runner attached to {@code pod} while it serves {@code lease} (for a cancel), if it is alive. */
    Optional<Runner> held(String pod, String lease) {
        Held h = held.get(pod);
        return h != null && lease.equals(h.lease) && h.session.alive() ? Optional.of(h.session) : Optional.empty();
    }

    /** Whether the runner that served {@code lease} on {@code pod} ended during it: the sandbox is damaged. */
    boolean killedDuring(String pod, String lease) {
        Held h = held.get(pod);
        return h != null && !h.session.alive() && !h.session.streamBroke() && lease.equals(h.lease);
    }

    /**
     * The runner to clean {@code pod} with after {@code lease}: the held one while it answers (a clean-up spares the
     * runner doing it, so it stays attached for the next lease), and also when it ended during that lease (its
     * clean-up then fails and the pod is retired, never reused); else one exec of the runner.
     */
    Runner forCleanup(String pod, String lease) {
        Held h = held.get(pod);
        if (h != null && (h.session.alive() || lease.equals(h.lease) && !h.session.streamBroke())) {
            return h.session;
        }
        if (h != null) {
            held.remove(pod, h);
        }
        return new ExecRunner(backend, pod);
    }

    /** Closes the runners of pods that are gone. */
    void retainOnly(Set<String> pods) {
        held.entrySet().removeIf(e -> {
            if (pods.contains(e.getKey())) {
                return false;
            }
            e.getValue().session.close();
            return true;
        });
    }

    @Override
    public void close() {
        held.values().forEach(h -> h.session.close());
        held.clear();
    }
}
