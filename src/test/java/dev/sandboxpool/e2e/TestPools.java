package dev.sandboxpool.e2e;

/**
 * SandboxPool manifests for the e2e tier. Members ask for a tenth of a CPU: the e2e cluster may be one 2-CPU node
 * (realk8s, kind and minikube defaults) that also runs the operator, and the documented default of one CPU per
 * member with requests equal to limits fits only one member beside it.
 */
final class TestPools {
    private TestPools() {
    }

    static String pool(String name, int minSize, int maxSize) {
        return """
                apiVersion: sandboxpool.dev/v1alpha1
                kind: SandboxPool
                metadata:
                  name: %s
                spec:
                  image: %s
                  minSize: %d
                  maxSize: %d
                  resources:
                    cpu: 100m
                    memory: 128Mi
                  healthProbe:
                    period: 5s
                """.formatted(name, E2ESettings.get().sandboxImage(), minSize, maxSize);
    }
}
