package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.backend.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A read-only view of one member pod: its lease state lives in its labels and annotations (see
 * {@link PodEdits} for how they change), its health in the status the kubelet writes.
 */
public record MemberPod(Pod pod) {
    public static final String STATE = "sandboxpool.dev/state";
    /** The id of the lease holding the pod; a label, so a lease is found with a label selector. */
    public static final String LEASE = "sandboxpool.dev/lease";
    public static final String NETWORK = "sandboxpool.dev/network";
    /** The last lease the operator reclaimed from this pod, so a late caller learns it expired (410, not 404). */
    public static final String ENDED_LEASE = "sandboxpool.dev/ended-lease";

    /** When the operator created the pod, by its clock (ages are measured against the same clock). */
    public static final String CREATED_AT = "sandboxpool.dev/created-at";
    /** When the state label last changed: idle since, leased since, cleaning since. */
    public static final String STATE_SINCE = "sandboxpool.dev/state-since";
    public static final String LEASE_EXPIRES_AT = "sandboxpool.dev/lease-expires-at";
    /** Which lease API process claimed it (for people reading the pod; nothing depends on it). */
    public static final String LEASE_HOLDER = "sandboxpool.dev/lease-holder";
    /** Where the holder's peers reach it ({@code ip:port}): a lease's sandbox calls are forwarded there. */
    public static final String LEASE_HOLDER_ADDRESS = "sandboxpool.dev/lease-holder-address";
    private static final Pattern HOLDER_ADDRESS =
            Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.]+\\]):\\d{1,5}");
    /** Leases this pod has served, for spec.reuse.maxUses. */
    public static final String USES = "sandboxpool.dev/uses";
    /**
     * Executions this pod has run, added to by the pod write that ends each lease (no write per execution); the
     * operator sums them into the pool's {@code status.executions}.
     */
    public static final String EXECUTIONS = "sandboxpool.dev/executions";
    /** An execution left the sandbox in an unknown state: it is deleted, not recycled, when its lease ends. */
    public static final String DAMAGED = "sandboxpool.dev/damaged";
    /** Why the lease in {@link #ENDED_LEASE} ended. */
    public static final String ENDED_WHY = "sandboxpool.dev/ended-why";

    /**
     * The nonce of the last compare-and-set write ({@link PodCas}), so a writer whose answer was lost recognises its
     * own write when it reads the pod again.
     */
    public static final String WRITE = "sandboxpool.dev/write";

    /**
     * On a pod the operator took from idle to cleaning for a check of its own (the network check): it is as warm as
     * an idle one and back in moments, so counts go on calling it ready; the next state change drops it.
     */
    public static final String CHECKING = "sandboxpool.dev/checking";
    public static final String CONTAINER = "sandbox";

    public String name() {
        return pod.getMetadata().getName();
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    public String resourceVersion() {
        return pod.getMetadata().getResourceVersion();
    }

    /** Taken out of idle for a moment by a check of the operator's, not by a lease (see {@link #CHECKING}). */
    public boolean checking() {
        return state() == MemberState.CLEANING && annotation(CHECKING) != null;
    }

    public MemberState state() {
        return StateLabel.parse(label(STATE));
    }

    public String pool() {
        return label(Labels.POOL);
    }

    public String specHash() {
        return label(Labels.SPEC_HASH);
    }

    public Optional<String> leaseId() {
        return state() == MemberState.LEASED ? Optional.ofNullable(label(LEASE)) : Optional.empty();
    }

    /** Why the given lease ended, when the operator reclaimed it from this pod. */
    public Optional<String> whyEnded(String leaseId) {
        return leaseId.equals(label(ENDED_LEASE)) ? Optional.ofNullable(annotation(ENDED_WHY)) : Optional.empty();
    }

    public Instant leaseExpiresAt() {
        return instant(LEASE_EXPIRES_AT).orElse(Instant.EPOCH);
    }

    public String leaseHolder() {
        return annotation(LEASE_HOLDER);
    }

    /** The holder's address, when it wrote one of the right form (anything else is never dialled). */
    public Optional<String> leaseHolderAddress() {
        return Optional.ofNullable(annotation(LEASE_HOLDER_ADDRESS)).filter(MemberPod::isHolderAddress);
    }

    /** An IPv4 address or a bracketed IPv6 one, and a port: never a host name that could be pointed elsewhere. */
    public static boolean isHolderAddress(String s) {
        return s != null && HOLDER_ADDRESS.matcher(s).matches();
    }

    public int uses() {
        String v = annotation(USES);
        return v == null || !v.matches("[0-9]{1,9}") ? 0 : Integer.parseInt(v);
    }

    public long executions() {
        String v = annotation(EXECUTIONS);
        return v == null || !v.matches("[0-9]{1,18}") ? 0 : Long.parseLong(v);
    }

    public String writeNonce() {
        return annotation(WRITE);
    }

    public boolean damaged() {
        return "true".equals(annotation(DAMAGED));
    }

    /** Creation time by the operator's clock, else the API server's. */
    public Instant createdAt() {
        return instant(CREATED_AT)
                .orElseGet(() -> parse(pod.getMetadata().getCreationTimestamp()).orElse(Instant.EPOCH));
    }

    public Instant stateSince() {
        return instant(STATE_SINCE).orElseGet(this::createdAt);
    }

    /** Being deleted, or its container ended: it will never serve again. */
    public boolean gone() {
        return pod.getMetadata().getDeletionTimestamp() != null || ended();
    }

    /**
     * Being deleted for longer than its grace period and {@code margin} past its deletionTimestamp (which the API
     * server sets to the deletion request plus the grace period): its kubelet does not confirm the deletion (a lost
     * node), and the pod may stay Terminating for as long as the node is gone. Its sandbox serves nobody.
     */
    public boolean stuckTerminating(Instant now, Duration margin) {
        Optional<Instant> deletion = parse(pod.getMetadata().getDeletionTimestamp());
        if (deletion.isEmpty()) {
            return false;
        }
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (grace == null && pod.getSpec() != null) {
            grace = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        Duration graceTime = Duration.ofSeconds(grace == null ? 30 : grace);
        return !deletion.get().plus(graceTime).plus(margin).isAfter(now);
    }

    /** Failed (evicted, killed, out of memory) or Succeeded (its init process exited). */
    public boolean ended() {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    /** The kubelet reports the pod Ready: its readiness probe (the pool's health command) passes. */
    public boolean ready() {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * Since when the pod is not Ready, by its Ready condition's last transition; empty when it is Ready, or when the
     * kubelet has reported no such time.
     */
    public Optional<Instant> notReadySince() {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()) && !"True".equals(c.getStatus()))
                .map(c -> c.getLastTransitionTime())
                .filter(t -> t != null && !t.isBlank())
                .findFirst()
                .flatMap(t -> {
                    try {
                        return Optional.of(Instant.parse(t));
                    } catch (java.time.format.DateTimeParseException e) {
                        return Optional.empty();
                    }
                });
    }

    /** Free to be claimed by a lease: idle, Ready, not going away. */
    public boolean claimable() {
        return state() == MemberState.READY && ready() && !gone();
    }

    /** Why the sandbox container cannot start, e.g. {@code ErrImagePull: ...}, or empty. */
    public Optional<Waiting> waiting() {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .map(ContainerStatus::getState)
                .filter(s -> s != null && s.getWaiting() != null && s.getWaiting().getReason() != null)
                .map(s -> new Waiting(s.getWaiting().getReason(), s.getWaiting().getMessage()))
                .findFirst();
    }

    /** Why the scheduler cannot place the pod (insufficient resources, no matching node), or empty. */
    public Optional<String> unschedulable() {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason()))
                .map(PodCondition::getMessage)
                .findFirst();
    }

    /** Why the pod ended, e.g. {@code Evicted}, for logs. */
    public String endReason() {
        if (pod.getStatus() == null) {
            return "unknown";
        }
        String reason = pod.getStatus().getReason();
        return reason != null ? reason : String.valueOf(pod.getStatus().getPhase());
    }

    /** A container waiting to start, with the kubelet's reason. */
    public record Waiting(String reason, String message) {
        public boolean imagePull() {
            return reason.equals("ErrImagePull") || reason.equals("ImagePullBackOff")
                    || reason.equals("InvalidImageName") || reason.equals("ErrImageNeverPull");
        }

        @Override
        public String toString() {
            return message == null || message.isBlank() ? reason : reason + ": " + message;
        }
    }

    private String label(String key) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    private String annotation(String key) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private Optional<Instant> instant(String key) {
        return parse(annotation(key));
    }

    private static Optional<Instant> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            // written by hand or by another tool: ignored like a missing value, the pod is still usable
            return Optional.empty();
        }
    }
}
