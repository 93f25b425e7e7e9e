package dev.sandboxpool.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the cluster benchmark puts on a cluster, and takes off again: a namespace of its own, the SandboxPool CRD when
 * the cluster lacks it, and the application processes it started. Closing (also from a shutdown hook, so Ctrl-C and
 * failures leave nothing behind) stops the processes first, so no operator recreates pods while the namespace goes,
 * then deletes the namespace (its pools and pods with it) and waits until it is gone.
 */
final class ClusterScratch implements AutoCloseable {
    static final String CREATED_BY = "app.kubernetes.io/created-by";
    static final String CREATED_BY_VALUE = "sandboxpool-bench";
    private static final String CRD_NAME = "sandboxpools.sandboxpool.dev";
    private static final Path CRD_FILE = Path.of("crds", CRD_NAME + "-v1.yml");

    private final KubernetesClient k8s;
    private final String namespace;
    private final Deque<AutoCloseable> processes = new ArrayDeque<>();
    private final Thread hook = new Thread(this::closeQuietly, "bench-cleanup");
    private boolean crdCreated;
    private boolean closed;

    private ClusterScratch(KubernetesClient k8s, String namespace) {
        this.k8s = k8s;
        this.namespace = namespace;
    }

    static ClusterScratch open(KubernetesClient k8s) throws IOException {
        ClusterScratch s = new ClusterScratch(k8s, "sandboxpool-bench-" + UUID.randomUUID().toString().substring(0, 6));
        Runtime.getRuntime().addShutdownHook(s.hook);
        s.ensureCrd();
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(s.namespace)
                .withLabels(Map.of(CREATED_BY, CREATED_BY_VALUE)).endMetadata().build()).create();
        System.out.println("namespace " + s.namespace + " (deleted at the end)");
        return s;
    }

    String namespace() {
        return namespace;
    }

    /** Stopped at close, the last tracked first. */
    synchronized <T extends AutoCloseable> T track(T process) {
        processes.push(process);
        return process;
    }

    /**
     * The CRD of this checkout ({@code crds/}, what the chart installs) when the cluster has none; an existing one is
     * left as it is, as {@code helm install} does, and it may belong to an installation in use.
     */
    private void ensureCrd() throws IOException {
        if (k8s.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get() != null) {
            return;
        }
        try (InputStream in = Files.newInputStream(CRD_FILE)) {
            CustomResourceDefinition crd = k8s.apiextensions().v1().customResourceDefinitions().load(in).item();
            k8s.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
        crdCreated = true;
        System.out.println("installed the CRD " + CRD_NAME + " from " + CRD_FILE + " (deleted at the end)");
        k8s.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).waitUntilCondition(
                c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                        .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")),
                30, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        InterruptedException interrupted = null;
        while (!processes.isEmpty()) {
            try {
                processes.pop().close();
            } catch (InterruptedException e) {
                interrupted = e;
            } catch (Exception e) {
                System.err.println("bench: stopping a process failed: " + e);
            }
        }
        System.out.println("deleting namespace " + namespace);
        k8s.namespaces().withName(namespace).delete();
        k8s.namespaces().withName(namespace).waitUntilCondition(n -> n == null, 3, TimeUnit.MINUTES);
        if (crdCreated) {
            k8s.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).delete();
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway and finds everything closed
            }
        }
        if (interrupted != null) {
            throw interrupted;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("bench: clean-up failed, delete namespace " + namespace + " by hand: " + e);
        }
    }
}
