package dev.sandboxpool.operator;

/**
 * Condition types and reasons only the cluster has, beside those of {@link dev.sandboxpool.api.v1alpha1.Condition}.
 */
public final class ClusterReasons {
    /**
     * Whether members of a {@code network: None} pool are really cut off from the network: a probe from inside an
     * idle member tried to reach the API server, the node's kubelet and the operator ({@link NetworkIsolation}).
     */
    public static final String TYPE_NETWORK_ISOLATED = "NetworkIsolated";

    /** Ready=False / Degraded: the kubelet cannot pull the pool's image (wrong name, no access, registry down). */
    public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
    /** Degraded: the last reconcile failed with an error from the Kubernetes API; it is retried. */
    public static final String RECONCILE_ERROR = "ReconcileError";

    /** NetworkIsolated=True: nothing the probe tried was reachable from a member. */
    public static final String ENFORCED = "Enforced";
    /** NetworkIsolated=False: a member reached what it must not; the message names it. */
    public static final String NOT_ENFORCED = "NotEnforced";
    /** NetworkIsolated=Unknown: no check has finished yet (no idle member so far). */
    public static final String NOT_CHECKED = "NotChecked";
    /** NetworkIsolated=Unknown: the probe could not run or did not finish; it is tried again later. */
    public static final String CHECK_FAILED = "CheckFailed";

    private ClusterReasons() {
    }
}
