package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Compare-and-set on a pod: of two writers of one read version, one wins; the kubelet's writes are no race. */
class PodCasTest {
    private MockCluster cluster;
    private Pod idle;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        SandboxPool pool = cluster.createPool("python", MockCluster.spec(0, 2));
        Pod pod = SandboxPodFactory.build(pool, PoolSpecValidator.validate("python", pool.getSpec()), "python-1",
                Instant.now());
        cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).resource(pod).create();
        setReady(true);
        Pod read = cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).withName("python-1").get();
        idle = cluster.harness().pods().inNamespace(MockCluster.NAMESPACE)
                .resource(PodEdits.toIdle(read, Instant.now())).update();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private void setReady(boolean ready) {
        cluster.harness().pods().inNamespace(MockCluster.NAMESPACE).withName("python-1").editStatus(p ->
                new PodBuilder(p).withStatus(new PodStatusBuilder().withPhase("Running")
                        .withConditions(new PodConditionBuilder().withType("Ready")
                                .withStatus(ready ? "True" : "False").build()).build()).build());
    }

    private static Pod claim(Pod pod, String lease) {
        Instant now = Instant.now();
        return PodEdits.claim(pod, lease, now, now.plusSeconds(60), "test");
    }

    @Test
    void releaseWhoseAnswerWasLostIsKnownAsWrittenNotAsTakenByAnother() {
        PodCas cas = new PodCas(cluster.newClient(MockCluster.API));
        Pod leased = cas.update(idle, MemberPod::claimable, p -> claim(p, "lease-a")).orElseThrow();
        cluster.loseTheAnswerToNext(MockCluster.podUpdateContaining("\"sandboxpool.dev/state\":\"cleaning\""));

        Optional<Pod> cleaning = cas.update(leased, m -> m.leaseId().filter("lease-a"::equals).isPresent(),
                p -> PodEdits.toCleaning(p, Instant.now()));

        assertThat(cleaning).hasValueSatisfying(p -> assertThat(new MemberPod(p).state())
                .isEqualTo(MemberState.CLEANING));
    }

    @Test
    void ofTwoClaimsOfTheSameVersionOnlyOneWins() {
        PodCas a = new PodCas(cluster.newClient(MockCluster.API));
        PodCas b = new PodCas(cluster.newClient(MockCluster.API));

        Optional<Pod> first = a.update(idle, MemberPod::claimable, p -> claim(p, "lease-a"));
        Optional<Pod> second = b.update(idle, MemberPod::claimable, p -> claim(p, "lease-b"));

        assertThat(first).isPresent();
        assertThat(second).isEmpty();
        MemberPod stored = new MemberPod(cluster.harness().pods().inNamespace(MockCluster.NAMESPACE)
                .withName("python-1").get());
        assertThat(stored.leaseId()).contains("lease-a");
        assertThat(stored.uses()).isEqualTo(1);
        assertThat(cluster.sent(s -> s.method().equals("PUT") && s.status() == 409)).hasSize(1);
    }

    @Test
    void aStatusWriteInBetweenDoesNotMakeAClaimFail() {
        setReady(true); // the kubelet writes: the version read before is stale

        Optional<Pod> claimed = new PodCas(cluster.newClient(MockCluster.API)).update(idle, MemberPod::claimable,
                p -> claim(p, "lease-a"));

        assertThat(claimed).hasValueSatisfying(p -> assertThat(new MemberPod(p).leaseId()).contains("lease-a"));
    }

    @Test
    void aPodThatStoppedBeingClaimableIsLeftAlone() {
        setReady(false);

        Optional<Pod> claimed = new PodCas(cluster.newClient(MockCluster.API)).update(idle, MemberPod::claimable,
                p -> claim(p, "lease-a"));

        assertThat(claimed).isEmpty();
    }
}
