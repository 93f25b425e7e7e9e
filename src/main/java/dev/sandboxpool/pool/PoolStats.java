package dev.sandboxpool.pool;

import dev.sandboxpool.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.List;

/**
 * A pool's counts at one instant. {@code replicas} counts every member not terminating; {@code starting} counts
 * members being created, probed for the first time or cleaned; {@code backendProblem} is why the backend does not
 * answer, null while it does.
 */
public record PoolStats(String name, String backend, String image, int minSize, int maxSize, int replicas,
        int ready, int leased, int starting, int terminating, int waiters, long executions, long created,
        long retired, int startFailures, String lastStartError, Instant backoffUntil, List<MemberInfo> members,
        List<Condition> conditions, String backendProblem) {

    /** Whether the backend answered its last call. */
    public boolean backendAvailable() {
        return backendProblem == null;
    }
}
