package dev.sandboxpool.cluster.testing;

import dev.sandboxpool.backend.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet the mock server lacks: a new member pod turns Running and Ready after a short delay (or, told so,
 * fails to pull its image); a test can evict it, kill it or make it unready. Writes status with a patch, so labels
 * written meanwhile by the product are kept.
 */
public final class FakeKubelet implements AutoCloseable {
    private static final Duration START_DELAY = Duration.ofMillis(100);

    private final KubernetesClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SharedIndexInformer<Pod> informer;
    private volatile boolean imagePullFails;

    public FakeKubelet(KubernetesClient client) {
        this.client = client;
        this.informer = client.pods().inNamespace(MockCluster.NAMESPACE)
                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        timer.schedule(() -> start(pod.getMetadata().getName()), START_DELAY.toMillis(),
                                TimeUnit.MILLISECONDS);
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod newPod) {
                    }

                    @Override
                    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                    }
                });
    }

    /** From now on, new pods report ErrImagePull instead of starting. */
    public void failImagePulls(boolean fail) {
        imagePullFails = fail;
    }

    private void start(String name) {
        setStatus(name, imagePullFails ? pullFailing() : running(true));
    }

    /** As a node under pressure does: the pod fails with reason Evicted. */
    public void evict(String name) {
        setStatus(name, new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build());
    }

    /** As {@code kubectl delete pod} behind the operator's back. */
    public void kill(String name) {
        client.pods().inNamespace(MockCluster.NAMESPACE).withName(name).delete();
    }

    /**
     * Its node is lost: the pod is deleted, and nobody confirms the deletion (a finalizer stands in for the kubelet
     * that would), so it stays Terminating with its deletionTimestamp.
     */
    public void loseNodeOf(String name) {
        client.pods().inNamespace(MockCluster.NAMESPACE).withName(name)
                .edit(p -> new PodBuilder(p).editMetadata().addToFinalizers("test.sandboxpool.dev/lost-node")
                        .endMetadata().build());
        client.pods().inNamespace(MockCluster.NAMESPACE).withName(name).delete();
    }

    /** Its readiness probe (the pool's health command) starts failing. */
    public void makeUnready(String name) {
        setStatus(name, running(false));
    }

    /** Its readiness probe passes again. */
    public void makeReady(String name) {
        setStatus(name, running(true));
    }

    /** As the kubelet does: again on a conflict, since the product writes the same pods. */
    private void setStatus(String name, PodStatus status) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.pods().inNamespace(MockCluster.NAMESPACE).withName(name)
                        .editStatus(p -> new PodBuilder(p).withStatus(status).build());
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static PodStatus running(boolean ready) {
        String now = Instant.now().toString();
        return new PodStatusBuilder()
                .withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(now).build())
                .withContainerStatuses(new ContainerStatusBuilder().withName("sandbox").withReady(ready)
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build())
                .build();
    }

    private static PodStatus pullFailing() {
        return new PodStatusBuilder()
                .withPhase("Pending")
                .withConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("False").build()))
                .withContainerStatuses(new ContainerStatusBuilder().withName("sandbox").withReady(false)
                        .withNewState().withNewWaiting().withReason("ErrImagePull")
                        .withMessage("pull access denied for sandboxpool/missing").endWaiting().endState().build())
                .build();
    }

    @Override
    public void close() {
        informer.close();
        timer.shutdownNow();
    }
}
