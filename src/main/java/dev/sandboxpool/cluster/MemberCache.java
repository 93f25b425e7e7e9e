package dev.sandboxpool.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * One pool's member pods in this process's informer cache, with the indexes lease look-ups use, so finding a lease
 * costs no request to the API server.
 */
interface MemberCache {
    List<Pod> all();

    /** Pods whose lease label holds {@code token}. */
    List<Pod> leasedTo(String token);

    /** Pods that note {@code token} as the last lease the operator reclaimed from them. */
    List<Pod> endedLease(String token);
}
