package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.PodEdits;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberSnapshotsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Pod idlePod() {
        SandboxPool owner = new SandboxPool();
        owner.setMetadata(new ObjectMetaBuilder().withName("python").withNamespace("default").withUid("u").build());
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:latest");
        owner.setSpec(spec);
        Pod pod = SandboxPodFactory.build(owner, PoolSpecValidator.validate("python", spec), "python-1", NOW);
        return PodEdits.toIdle(pod, NOW);
    }

    /**
     * Found by the e2e tier: while the operator's network check held a member (idle, then cleaning), the pool showed
     * one ready member fewer and one leased more that nobody had leased.
     */
    @Test
    void aMemberHeldByTheOperatorsCheckIsCountedReadyAndBusy() {
        Pod checking = PodEdits.toChecking(idlePod(), NOW.plusSeconds(1));

        MemberSnapshot snapshot = MemberSnapshots.of(new MemberPod(checking), 3);

        assertThat(snapshot.state()).isEqualTo(MemberState.READY);
        assertThat(snapshot.busy()).as("the planner starts nothing on it").isTrue();
    }

    @Test
    void aMemberCleanedAfterALeaseIsCleaningAndTheCheckMarkGoesWithTheNextState() {
        Pod checked = PodEdits.toIdle(PodEdits.toChecking(idlePod(), NOW), NOW.plusSeconds(2));
        Pod cleaning = PodEdits.toCleaning(checked, NOW.plusSeconds(3));

        assertThat(new MemberPod(checked).checking()).isFalse();
        assertThat(MemberSnapshots.of(new MemberPod(cleaning), 3).state()).isEqualTo(MemberState.CLEANING);
    }
}
