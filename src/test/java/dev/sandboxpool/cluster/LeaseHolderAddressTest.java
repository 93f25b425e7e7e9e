package dev.sandboxpool.cluster;

import static dev.sandboxpool.cluster.testing.ClusterHarness.served;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.Pool;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a lease's sandbox calls go: the replica that claimed it writes its address on the pod, the others read it
 * there (and forward, see {@code HolderForwardingFilter}); the holder itself serves them.
 */
class LeaseHolderAddressTest {
    private static final Duration TTL = Duration.ofMinutes(5);
    private ClusterHarness h;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void theOtherReplicaFindsTheHolderAndTheHolderServesItself() {
        Pool a = served(h.replica(new Replica("api-a", "10.1.0.7:8080")), "python");
        Pool b = served(h.replica(new Replica("api-b", "10.1.0.8:8080")), "python");

        Lease lease = a.acquire(Duration.ofSeconds(2), TTL);

        assertThat(new MemberPod(h.pod(lease.sandbox())).leaseHolderAddress()).contains("10.1.0.7:8080");
        assertThat(a.holderAddress(lease.id())).isEmpty();
        await().atMost(ClusterHarness.WAIT).until(() -> b.holderAddress(lease.id()).isPresent());
        assertThat(b.holderAddress(lease.id())).contains("10.1.0.7:8080");

        a.release(lease.id());
        assertThat(h.pod(lease.sandbox()).getMetadata().getAnnotations())
                .doesNotContainKey(MemberPod.LEASE_HOLDER_ADDRESS);
        await().atMost(ClusterHarness.WAIT).until(() -> b.holderAddress(lease.id()).isEmpty());
    }

    /** A replica without an address (run outside the cluster) is served where its calls arrive. */
    @Test
    void aHolderWithoutAnAddressWritesNone() {
        Pool a = served(h.replica("api-a"), "python");
        Pool b = served(h.replica(new Replica("api-b", "10.1.0.8:8080")), "python");

        Lease lease = a.acquire(Duration.ofSeconds(2), TTL);

        assertThat(h.pod(lease.sandbox()).getMetadata().getAnnotations())
                .doesNotContainKey(MemberPod.LEASE_HOLDER_ADDRESS);
        assertThat(b.holderAddress(lease.id())).isEmpty();
    }

    /** Only ip:port is ever dialled: a host name written on a pod could point anywhere. */
    @Test
    void anAddressOfAnotherFormIsNeverReturned() {
        Pool a = served(h.replica(new Replica("api-a", "10.1.0.7:8080")), "python");
        Pool b = served(h.replica(new Replica("api-b", "10.1.0.8:8080")), "python");
        Lease lease = a.acquire(Duration.ofSeconds(2), TTL);

        h.cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).withName(lease.sandbox()).edit(p -> {
            p.getMetadata().getAnnotations().put(MemberPod.LEASE_HOLDER_ADDRESS, "metadata.example:80/steal");
            return p;
        });

        assertThat(h.pod(lease.sandbox()).getMetadata().getAnnotations())
                .containsEntry(MemberPod.LEASE_HOLDER_ADDRESS, "metadata.example:80/steal");
        await().during(Duration.ofMillis(500)).atMost(ClusterHarness.WAIT)
                .until(() -> b.holderAddress(lease.id()).isEmpty());
        assertThatThrownBy(() -> new Replica("api-c", "metadata.example:80"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
