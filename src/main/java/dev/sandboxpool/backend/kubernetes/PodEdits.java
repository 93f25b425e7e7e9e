package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import static dev.sandboxpool.backend.kubernetes.MemberPod.DAMAGED;
import static dev.sandboxpool.backend.kubernetes.MemberPod.LEASE;
import static dev.sandboxpool.backend.kubernetes.MemberPod.LEASE_EXPIRES_AT;
import static dev.sandboxpool.backend.kubernetes.MemberPod.LEASE_HOLDER;
import static dev.sandboxpool.backend.kubernetes.MemberPod.STATE;
import static dev.sandboxpool.backend.kubernetes.MemberPod.STATE_SINCE;
import static dev.sandboxpool.backend.kubernetes.MemberPod.USES;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state transitions of a member pod, as pure functions: each returns a changed copy that keeps the read
 * resourceVersion, so writing it with {@link PodCas} succeeds only if nobody changed the pod in between.
 */
public final class PodEdits {
    private PodEdits() {
    }

    /** idle → leased: the lease's id, expiry and holder, one more use. */
    public static Pod claim(Pod pod, String leaseId, Instant now, Instant expiresAt, String holder) {
        return claim(pod, leaseId, now, expiresAt, holder, null);
    }

    /** {@link #claim}, with the address the holder's peers reach it at ({@code ip:port}; null: none). */
    public static Pod claim(Pod pod, String leaseId, Instant now, Instant expiresAt, String holder,
            String holderAddress) {
        int uses = new MemberPod(pod).uses() + 1;
        return edit(pod, MemberState.LEASED, now, labels -> labels.put(LEASE, leaseId), annotations -> {
            annotations.put(LEASE_EXPIRES_AT, expiresAt.toString());
            annotations.put(LEASE_HOLDER, holder);
            if (holderAddress != null) {
                annotations.put(MemberPod.LEASE_HOLDER_ADDRESS, holderAddress);
            } else {
                annotations.remove(MemberPod.LEASE_HOLDER_ADDRESS);
            }
            annotations.put(USES, Integer.toString(uses));
            annotations.remove(DAMAGED);
        });
    }

    /** A leased pod's new expiry; its state and state-since stay. */
    public static Pod renew(Pod pod, Instant expiresAt) {
        return annotate(pod, LEASE_EXPIRES_AT, expiresAt.toString());
    }

    /** Remembers that an execution left the sandbox in an unknown state, for whoever ends the lease. */
    public static Pod markDamaged(Pod pod) {
        return annotate(pod, DAMAGED, "true");
    }

    /** leased → cleaning: the lease ends here, whoever then cleans the pod. */
    public static Pod toCleaning(Pod pod, Instant now) {
        return edit(pod, MemberState.CLEANING, now, PodEdits::dropLease, PodEdits::dropLeaseAnnotations);
    }

    /**
     * idle → cleaning for a check of the operator's (the network check): no lease can claim it meanwhile, and it is
     * counted as ready, not cleaning (see {@link MemberPod#CHECKING}).
     */
    public static Pod toChecking(Pod pod, Instant now) {
        return edit(pod, MemberState.CLEANING, now, PodEdits::dropLease, a -> {
            dropLeaseAnnotations(a);
            a.put(MemberPod.CHECKING, "network");
        });
    }

    /** starting or cleaning → idle, or leased → idle when the runner cleaned before answering: free to be claimed. */
    public static Pod toIdle(Pod pod, Instant now) {
        return edit(pod, MemberState.READY, now, PodEdits::dropLease, PodEdits::dropLeaseAnnotations);
    }

    /** any state → retiring: claimed by nobody again; the delete call follows. */
    public static Pod toRetiring(Pod pod, Instant now) {
        return edit(pod, MemberState.TERMINATING, now, PodEdits::dropLease, PodEdits::dropLeaseAnnotations);
    }

    /** Leaves a note of a reclaimed lease (the next one reclaimed replaces it), for callers that come late. */
    public static Pod noteEnded(Pod pod, String leaseId, String why) {
        Map<String, String> l = copy(pod.getMetadata().getLabels());
        Map<String, String> a = copy(pod.getMetadata().getAnnotations());
        l.put(MemberPod.ENDED_LEASE, leaseId);
        a.put(MemberPod.ENDED_WHY, why);
        return new PodBuilder(pod).editMetadata().withLabels(l).withAnnotations(a).endMetadata().build();
    }

    /**
     * Adds executions run under the lease that ends with this write to the pod's count ({@link MemberPod#EXECUTIONS}),
     * so counting costs no write of its own.
     */
    public static Pod addExecutions(Pod pod, long executions) {
        if (executions == 0) {
            return pod;
        }
        return annotate(pod, MemberPod.EXECUTIONS, Long.toString(new MemberPod(pod).executions() + executions));
    }

    /** Adds uses beyond the claim's own (one-shots run in a reservation, see the lease API's one-shot reserve). */
    public static Pod addUses(Pod pod, int more) {
        if (more <= 0) {
            return pod;
        }
        return annotate(pod, USES, Integer.toString(new MemberPod(pod).uses() + more));
    }

    /** Marks a write with its nonce, so its writer knows it again when the answer to it was lost. */
    static Pod stamp(Pod pod, String nonce) {
        return annotate(pod, MemberPod.WRITE, nonce);
    }

    private static void dropLease(Map<String, String> labels) {
        labels.remove(LEASE);
    }

    private static void dropLeaseAnnotations(Map<String, String> annotations) {
        annotations.remove(LEASE_EXPIRES_AT);
        annotations.remove(LEASE_HOLDER);
        annotations.remove(MemberPod.LEASE_HOLDER_ADDRESS);
        annotations.remove(MemberPod.CHECKING);
    }

    private static Pod edit(Pod pod, MemberState state, Instant now, Consumer<Map<String, String>> labels,
            Consumer<Map<String, String>> annotations) {
        Map<String, String> l = copy(pod.getMetadata().getLabels());
        Map<String, String> a = copy(pod.getMetadata().getAnnotations());
        l.put(STATE, StateLabel.of(state));
        a.put(STATE_SINCE, now.toString());
        labels.accept(l);
        annotations.accept(a);
        return new PodBuilder(pod).editMetadata().withLabels(l).withAnnotations(a).endMetadata().build();
    }

    private static Pod annotate(Pod pod, String key, String value) {
        Map<String, String> a = copy(pod.getMetadata().getAnnotations());
        a.put(key, value);
        return new PodBuilder(pod).editMetadata().withAnnotations(a).endMetadata().build();
    }

    private static Map<String, String> copy(Map<String, String> map) {
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }
}
