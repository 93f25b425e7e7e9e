package dev.sandboxpool.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The cluster, found the standard way: the pod's service account in a cluster, else {@code KUBECONFIG} or
 * {@code ~/.kube/config}.
 */
@Factory
@Requires(property = "sandboxpool.mode", pattern = ClusterConfig.CLUSTER_MODES)
public class KubernetesClientFactory {

    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }
}
