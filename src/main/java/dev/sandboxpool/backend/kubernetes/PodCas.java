package dev.sandboxpool.backend.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Compare-and-set on member pods: a PUT carrying the resourceVersion that was read. The API server refuses it with
 * 409 Conflict when anyone wrote the pod since, so of two processes claiming one pod exactly one wins. After a
 * conflict the pod is read again and the change is retried only if it still makes sense (the kubelet's status
 * writes also conflict, and must not make a claim fail); the loser of a real race finds the pod taken and gives up.
 *
 * <p>A write whose outcome is unknown (a timeout, a 5xx from a proxy: the API server may have applied it) is not a
 * lost race. Every write carries a fresh nonce ({@link MemberPod#WRITE}); the pod is read again, and when it carries
 * this write's nonce the write was applied and is this process's, whatever the check says now (a claim applied is
 * no longer claimable, and was taken for lost: the next attempt claimed a second pod under the same lease). When it
 * does not, the same write is sent again with the same resourceVersion: a copy of it still on its way can then never
 * apply after another write, since either this one applies or the resourceVersion has moved on.
 */
public final class PodCas {
    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;

    public PodCas(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Writes {@code edit(pod)} while {@code check} holds for the pod as last read.
     *
     * @return the pod as written, or empty when the check failed (someone else changed it first) or it is gone
     * @throws KubernetesClientException when the API server refused the write (other than a conflict), or its
     *     outcome stayed unknown through every attempt
     */
    public Optional<Pod> update(Pod read, Predicate<MemberPod> check, UnaryOperator<Pod> edit) {
        String nonce = UUID.randomUUID().toString();
        Pod current = read;
        KubernetesClientException unknown = null;
        for (int attempt = 0; attempt < ATTEMPTS && current != null; attempt++) {
            if (!check.test(new MemberPod(current))) {
                return Optional.empty();
            }
            try {
                return Optional.of(client.pods().inNamespace(current.getMetadata().getNamespace())
                        .resource(PodEdits.stamp(edit.apply(current), nonce)).update());
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    return Optional.empty();
                }
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && !outcomeUnknown(e)) {
                    throw e;
                }
                unknown = e.getCode() == HttpURLConnection.HTTP_CONFLICT ? null : e;
                current = client.pods().inNamespace(current.getMetadata().getNamespace())
                        .withName(current.getMetadata().getName()).get();
                // also after a conflict: the client may have resent a write whose first answer was lost
                if (current != null && nonce.equals(new MemberPod(current).writeNonce())) {
                    return Optional.of(current);
                }
            }
        }
        if (unknown != null) {
            throw unknown;
        }
        return Optional.empty();
    }

    /** No answer (code 0: a timeout, a broken connection) or a server-side failure: it may have been applied. */
    private static boolean outcomeUnknown(KubernetesClientException e) {
        return e.getCode() == 0 || e.getCode() >= HttpURLConnection.HTTP_INTERNAL_ERROR;
    }
}
