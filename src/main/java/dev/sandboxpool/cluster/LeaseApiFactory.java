package dev.sandboxpool.cluster;

import dev.sandboxpool.metrics.PoolMetrics;
import dev.sandboxpool.pool.PoolEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import java.time.Clock;

/** The pool registry of the lease API in a cluster: started with the application, its informers closed with it. */
@Factory
@Requires(condition = LeaseApiCondition.class)
public class LeaseApiFactory {

    @Context
    @Bean(preDestroy = "close")
    ClusterPools clusterPools(KubernetesClient client, ClusterConfig config, PoolEvents events, PoolMetrics metrics) {
        Replica replica = Replica.of(ClusterPools.defaultReplicaName(), config.getPodIp(), config.getPort());
        return new ClusterPools(client, config.namespaces(), Clock.systemUTC(), replica, events, metrics).start();
    }
}
