package dev.sandboxpool.cluster.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Points the standard cluster lookup ({@code new KubernetesClientBuilder().build()}) at a mock cluster through the
 * Fabric8 system properties, for code under test that finds its cluster itself, and restores them afterwards. The
 * client's user agent names the process it acts as ({@link MockCluster#OPERATOR}, {@link MockCluster#API}), so its
 * calls are recorded as that process's.
 */
public final class StandardClusterLookup {
    private StandardClusterLookup() {
    }

    public static <T> T with(MockCluster cluster, String process, Supplier<T> body) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("kubernetes.master", cluster.url());
        properties.put("kubernetes.namespace", MockCluster.NAMESPACE);
        properties.put("kubernetes.trust.certificates", "true");
        properties.put("kubernetes.auth.tryKubeConfig", "false");
        properties.put("kubernetes.auth.tryServiceAccount", "false");
        properties.put("kubernetes.user.agent", MockCluster.userAgent(process));
        Map<String, String> previous = new LinkedHashMap<>();
        properties.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        try {
            return body.get();
        } finally {
            previous.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }
}
