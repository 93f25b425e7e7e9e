package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sandboxpool.cluster.testing.ClusterHarness.served;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.Pool;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator and the lease API together: leased members are never touched, expired leases are reclaimed. */
class LeasedMembersTest {
    private ClusterHarness h;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void expiredLeaseIsReclaimedAndItsMemberCleanedForTheNextCaller() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertThat(new MemberPod(h.pod(lease.sandbox())).state()).isEqualTo(MemberState.LEASED);

        h.clock.advance(Duration.ofSeconds(31));

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            assertThat(h.exec().cleaned()).contains(lease.sandbox());
            assertThat(new MemberPod(h.pod(lease.sandbox())).state()).isEqualTo(MemberState.READY);
        });
        assertThat(pool.lease(lease.id())).isEmpty();
        assertThat(pool.acquire(Duration.ofSeconds(5), Duration.ofSeconds(30)).sandbox()).isEqualTo(lease.sandbox());
    }

    @Test
    void specChangeReplacesIdleMembersAtOnceAndLeasedOnesAfterRelease() {
        h.createPool("python", MockCluster.spec(2, 4));
        h.awaitReady("python", 2);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofMinutes(5));
        String idleOld = h.idlePods("python").get(0).name();
        String oldHash = new MemberPod(h.pod(lease.sandbox())).specHash();

        h.editSpec("python", s -> s.setImage("sandboxpool/python:next"));

        // the leased member still counts towards minSize: one new member joins it
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(idleOld);
            assertThat(h.pods("python")).hasSize(2);
            assertThat(h.idlePods("python")).singleElement()
                    .satisfies(m -> assertThat(m.specHash()).isNotEqualTo(oldHash));
        });
        MemberPod leased = new MemberPod(h.pod(lease.sandbox()));
        assertThat(leased.state()).isEqualTo(MemberState.LEASED);
        assertThat(leased.specHash()).isEqualTo(oldHash);

        pool.release(lease.id());

        h.awaitReady("python", 2);
        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(lease.sandbox());
        assertThat(h.pods("python")).allSatisfy(m -> assertThat(m.specHash()).isNotEqualTo(oldHash));
    }

    @Test
    void waitingCallersGrowThePoolUpToMaxSize() {
        h.createPool("python", MockCluster.spec(0, 2));
        Pool pool = served(h.replica("api-a"), "python");

        Lease lease = pool.acquire(Duration.ofSeconds(15), Duration.ofMinutes(5));

        assertThat(lease.warm()).isFalse();
        assertThat(new MemberPod(h.pod(lease.sandbox())).state()).isEqualTo(MemberState.LEASED);
    }

    @Test
    void callersWaitingAtMaxSizeShowAsAtCapacityUntilAMemberIsReleased() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease first = pool.acquire(Duration.ofSeconds(5), Duration.ofMinutes(5));

        // waits long enough to outlast the AtCapacity wait below plus the release's clean-up on a busy machine
        CompletableFuture<Lease> second = CompletableFuture.supplyAsync(
                () -> pool.acquire(Duration.ofSeconds(90), Duration.ofMinutes(5)));

        await().atMost(ClusterHarness.WAIT).untilAsserted(() ->
                assertThat(h.condition("python", Condition.TYPE_DEGRADED)).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getReason()).isEqualTo("AtCapacity");
                }));
        pool.release(first.id());
        assertThat(second.join().sandbox()).isEqualTo(first.sandbox());
        await().atMost(ClusterHarness.WAIT).untilAsserted(() ->
                assertThat(h.condition("python", Condition.TYPE_DEGRADED)).hasValueSatisfying(c ->
                        assertThat(c.getStatus()).isEqualTo("False")));
    }
}
