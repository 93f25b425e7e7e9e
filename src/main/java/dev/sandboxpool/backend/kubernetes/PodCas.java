package dev.sandboxpool.backend.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Compare-and-set on member pods: a PUT carrying the resourceVersion that was read. The API server refuses it with
 * 409 Conflict when anyone wrote the pod since, so of two processes claiming one pod exactly one wins. After a
 * conflict the pod is read again and the change is retried only if it still makes sense (the kubelet's status
 * writes also conflict, and must not make a claim fail); the loser of a real race finds the pod taken and gives up.
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
     */
    public Optional<Pod> update(Pod read, Predicate<MemberPod> check, UnaryOperator<Pod> edit) {
        Pod current = read;
        for (int attempt = 0; attempt < ATTEMPTS && current != null; attempt++) {
            if (!check.test(new MemberPod(current))) {
                return Optional.empty();
            }
            try {
                return Optional.of(client.pods().inNamespace(current.getMetadata().getNamespace())
                        .resource(edit.apply(current)).update());
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    return Optional.empty();
                }
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                current = client.pods().inNamespace(current.getMetadata().getNamespace())
                        .withName(current.getMetadata().getName()).get();
            }
        }
        return Optional.empty();
    }
}
