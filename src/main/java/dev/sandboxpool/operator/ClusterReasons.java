package dev.sandboxpool.operator;

/**
 * Condition reasons only the cluster has, beside those of {@link dev.sandboxpool.api.v1alpha1.Condition}.
 */
public final class ClusterReasons {
    /** Ready=False / Degraded: the kubelet cannot pull the pool's image (wrong name, no access, registry down). */
    public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
    /** Degraded: the last reconcile failed with an error from the Kubernetes API; it is retried. */
    public static final String RECONCILE_ERROR = "ReconcileError";

    private ClusterReasons() {
    }
}
