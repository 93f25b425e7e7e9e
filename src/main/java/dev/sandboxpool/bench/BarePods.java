package dev.sandboxpool.bench;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster baselines: pods created directly, without the operator, and plain execs into them through the API
 * server. Each is a member pod of the benchmark's pool as the operator would build it (same image, command, limits,
 * volumes, security context), less what makes it a member: no owner, no lease labels, no readiness probe. So starting
 * them is the cluster's own floor for starting the pool, and an exec into one is the floor for running code in a pod
 * without a warm runner.
 */
final class BarePods implements AutoCloseable {
    private static final String LABEL = "sandboxpool.dev/bench-bare";

    private final KubernetesClient k8s;
    private final String namespace;
    private final List<String> names = new ArrayList<>();

    private BarePods(KubernetesClient k8s, String namespace) {
        this.k8s = k8s;
        this.namespace = namespace;
    }

    /**
     * Creates {@code count} pods shaped like members of {@code pool} and waits until all are Ready.
     *
     * @return the pods, and the time from the first create call to the last pod Ready
     */
    static Started start(KubernetesClient k8s, SandboxPool pool, int count, Duration timeout) throws Exception {
        String ns = pool.getMetadata().getNamespace();
        BarePods bare = new BarePods(k8s, ns);
        PoolSettings settings = PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec());
        // the informer is listening before the first pod exists; the time is taken when it sees the last one Ready
        CompletableFuture<Long> allReady = k8s.pods().inNamespace(ns).withLabel(LABEL)
                .informOnCondition(pods -> pods.stream().filter(Readiness::isPodReady).count() >= count)
                .thenApply(pods -> System.nanoTime());
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Pod pod = bare(SandboxPodFactory.build(pool, settings, "bare-" + i, Instant.now()));
            k8s.pods().inNamespace(ns).resource(pod).create();
            bare.names.add(pod.getMetadata().getName());
        }
        try {
            double ms = (allReady.get(timeout.toMillis(), TimeUnit.MILLISECONDS) - started) / 1e6;
            return new Started(bare, ms);
        } catch (TimeoutException e) {
            allReady.cancel(true);
            throw new IllegalStateException(count + " bare pods not Ready within " + timeout + ": "
                    + k8s.pods().inNamespace(ns).withLabel(LABEL).list().getItems().stream()
                            .map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase() + " "
                                    + p.getStatus().getConditions())
                            .toList());
        }
    }

    record Started(BarePods pods, double readyMs) {
    }

    private static Pod bare(Pod member) {
        return new PodBuilder(member)
                .editMetadata()
                    .withOwnerReferences(List.of())
                    .withLabels(Map.of(LABEL, "true", ClusterScratch.CREATED_BY, ClusterScratch.CREATED_BY_VALUE))
                    .withAnnotations(Map.of())
                .endMetadata()
                .editSpec().editFirstContainer().withReadinessProbe(null).endContainer().endSpec()
                .build();
    }

    /**
     * {@code python3 -c 'print(1)'} in pod {@code i % count} through the exec API (a websocket through the API server
     * and the kubelet), as Fabric8 users run it, without the read of the pod Fabric8 makes first by default. It is
     * done when the exit status has come: here about one exec in a hundred delivers its output and exit status and
     * then no close of the websocket for over 10 s, which waiting for the close would measure.
     */
    void printOne(int i) {
        String pod = names.get(i % names.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExecWatch watch = k8s.pods().inNamespace(namespace).withName(pod).inContainer(MemberPod.CONTAINER)
                .withReadyWaitTimeout(0).writingOutput(out).writingError(new ByteArrayOutputStream())
                .exec("python3", "-c", "print(1)")) {
            Integer exit = watch.exitCode().get(30, TimeUnit.SECONDS);
            String stdout = out.toString(StandardCharsets.UTF_8);
            if (exit == null || exit != 0 || !stdout.equals("1\n")) {
                throw new IllegalStateException("exec in " + pod + ": exit " + exit + ", stdout " + stdout);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("exec in " + pod + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("exec in " + pod + " took over 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the pods and waits until they are gone, so they take no CPU or memory from what is measured next. */
    @Override
    public void close() {
        k8s.pods().inNamespace(namespace).withLabel(LABEL).delete();
        k8s.pods().inNamespace(namespace).withLabel(LABEL).informOnCondition(List::isEmpty)
                .orTimeout(2, TimeUnit.MINUTES).join();
    }
}
