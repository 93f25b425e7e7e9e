package dev.sandboxpool.operator;

import dev.sandboxpool.cluster.ClusterConfig;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This operator's side of the leader election's Lease: its identity, and the hand-over when it stops. The SDK leaves
 * the Lease held when it stops (its elector does not release on cancel), so a standby waited the Lease's full
 * duration (15 s) before it reconciled; a Lease with no holder is taken at once by the next candidate that tries.
 */
final class LeaderLease {
    private static final Logger log = LoggerFactory.getLogger(LeaderLease.class);
    private final KubernetesClient client;
    private final String namespace;
    private final String identity;

    private LeaderLease(KubernetesClient client, String namespace, String identity) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
    }

    static LeaderLease of(KubernetesClient client, ClusterConfig config) {
        String namespace = config.getLeaderElectionNamespace();
        if (namespace == null || namespace.isBlank()) {
            namespace = client.getNamespace();
        }
        // the pod's name where there is one, and unique even for two processes of one pod
        String host = System.getenv().getOrDefault("HOSTNAME", "operator");
        return new LeaderLease(client, namespace, host + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    String namespace() {
        return namespace;
    }

    String identity() {
        return identity;
    }

    /** Gives the Lease up if this operator holds it; a failure only means a standby waits for it to expire. */
    void release() {
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(ClusterConfig.LEADER_LEASE).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            lease.getSpec().setHolderIdentity(null);
            // the resourceVersion read above: should another candidate have taken it meanwhile, this write fails
            client.leases().inNamespace(namespace).resource(lease).update();
            log.info("handed over the leadership Lease {}/{}", namespace, ClusterConfig.LEADER_LEASE);
        } catch (KubernetesClientException e) {
            log.warn("could not hand over the leadership Lease {}/{} ({}): a standby takes it when it expires",
                    namespace, ClusterConfig.LEADER_LEASE, e.getMessage());
        }
    }
}
