package dev.sandboxpool.backend;

import dev.sandboxpool.spec.PoolSettings;
import java.util.List;
import java.util.Optional;

/**
 * Where sandboxes live: Docker containers locally, pods in a cluster. The pool engine talks only to this port, so it
 * never knows which. Members carry their pool and spec hash as labels, so a restarted process finds what an earlier
 * one left ({@link #list}) and removes it.
 */
public interface SandboxBackend {

    /** Creates and starts one member of the pool, hardened as the settings say. Returns before it is probed. */
    SandboxRef create(PoolSettings settings);

    /** Every member of the pool the backend knows of, running or not, whoever created it. */
    List<SandboxRef> list(String pool);

    /** Removes the member; a member already gone is not an error. */
    void destroy(String id);

    /** Runs a command inside the member as the sandbox user, feeding it stdin, within the timeout. */
    ExecOutput exec(String id, ExecCall call);

    /**
     * Starts {@code command} in the member with stdin held open, streaming its output to {@code listener}; empty when
     * this backend cannot hold such a process.
     */
    default Optional<AttachedProcess> attach(String id, List<String> command, AttachedProcess.Listener listener) {
        return Optional.empty();
    }

    /** A short word for logs and the API: {@code docker}, {@code kubernetes}. */
    String kind();
}
