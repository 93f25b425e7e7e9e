package dev.sandboxpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.sandboxpool.cluster.testing.ClusterHarness.served;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.metrics.PoolMetrics;
import dev.sandboxpool.pool.Lease;
import dev.sandboxpool.pool.LeaseIds;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.NoSandboxAvailableException;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease API over member pods: leases live on the pods, so replicas share them safely. */
class ClusterPoolTest {
    private static final Duration TTL = Duration.ofMinutes(5);
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
    void twoReplicasAcquiringAtOnceNeverLeaseOnePodTwice() throws Exception {
        h.createPool("python", MockCluster.spec(4, 4));
        h.awaitReady("python", 4);
        Pool a = served(h.replica("api-a"), "python");
        Pool b = served(h.replica("api-b"), "python");
        ExecutorService callers = Executors.newFixedThreadPool(12);
        List<Future<Lease>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Pool replica = i % 2 == 0 ? a : b;
            Callable<Lease> acquire = () -> replica.acquire(Duration.ofSeconds(2), TTL);
            calls.add(callers.submit(acquire));
        }
        List<Lease> leases = new ArrayList<>();
        int refused = 0;
        for (Future<Lease> call : calls) {
            try {
                leases.add(call.get());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NoSandboxAvailableException.class);
                refused++;
            }
        }
        callers.shutdown();

        assertThat(leases).hasSize(4);
        assertThat(refused).isEqualTo(8);
        assertThat(leases).extracting(Lease::sandbox).doesNotHaveDuplicates();
        // each pod holds exactly the lease its caller was given
        for (Lease lease : leases) {
            MemberPod pod = new MemberPod(h.pod(lease.sandbox()));
            assertThat(pod.state()).isEqualTo(MemberState.LEASED);
            // the pod carries the id's token (the whole id can be longer than a label value may be)
            assertThat(pod.leaseId()).isEqualTo(LeaseIds.token(lease.id(), MockCluster.NAMESPACE + ".python"));
        }
    }

    @Test
    void claimWhoseAnswerWasLostIsRecognisedAsOwnAndNoSecondPodIsClaimed() {
        h.createPool("python", MockCluster.spec(2, 2));
        h.awaitReady("python", 2);
        Pool pool = served(h.replica("api-a"), "python");
        h.cluster.loseTheAnswerToNext(MockCluster.podUpdateContaining("\"sandboxpool.dev/state\":\"leased\""));

        Lease lease = pool.acquire(Duration.ofSeconds(10), TTL);

        assertThat(h.pods("python")).filteredOn(p -> p.state() == MemberState.LEASED).extracting(MemberPod::name)
                .containsExactly(lease.sandbox());
        assertThat(h.idlePods("python")).hasSize(1);
        assertThat(pool.execute(lease.id(), ExecutionRequest.of("print('mine')", Duration.ofSeconds(10))).stdout())
                .isEqualTo("mine\n");
    }

    @Test
    void executionStillOpeningItsRunnerWhenItsLeaseIsReleasedRunsNoCodeAfterTheCleanUp() throws Exception {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        CompletableFuture<Void> runnerStarts = h.exec().holdRunnersOf(lease.sandbox());
        ExecutorService callers = Executors.newFixedThreadPool(2);
        Future<ExecutionResult> execution = callers.submit(() -> pool.execute(lease.id(),
                ExecutionRequest.of("open('left-by-the-old-tenant', 'w').write('x')", Duration.ofSeconds(10))));
        await().atMost(ClusterHarness.WAIT).until(() -> h.exec().runnerStreamsOpenedTo(lease.sandbox()) == 1);

        Future<?> release = callers.submit(() -> pool.release(lease.id()));
        // a release that does not wait for the execution cleans the pod in this time, before the runner is up
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        runnerStarts.complete(null);
        try {
            execution.get();
        } catch (ExecutionException e) {
            // refused because the lease ended first: also safe, nothing ran
            assertThat(e.getCause()).isInstanceOf(LeaseNotActiveException.class);
        }
        release.get();
        callers.shutdown();

        await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);
        Lease next = pool.acquire(Duration.ofSeconds(5), TTL);
        assertThat(pool.execute(next.id(), ExecutionRequest.of("import os; print(os.listdir('.'))",
                Duration.ofSeconds(10))).stdout()).isEqualTo("[]\n");
    }

    @Test
    void leaseIsRenewedUsedForExecutionsAndReleasedClean() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");

        Lease lease = pool.acquire(Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertThat(pool.lease(lease.id())).isPresent();
        Lease renewed = pool.renew(lease.id(), Duration.ofMinutes(2));
        assertThat(renewed.expiresAt()).isAfter(lease.expiresAt());

        ExecutionResult first = pool.execute(lease.id(), new ExecutionRequest(
                "open('state.txt', 'w').write('kept'); print(6 * 7)", "", Map.of(), Map.of(), Duration.ofSeconds(10)));
        assertThat(first.stdout()).isEqualTo("42\n");
        assertThat(first.exitCode()).isZero();

        pool.release(lease.id());

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            assertThat(h.exec().cleaned()).contains(lease.sandbox());
            MemberPod pod = new MemberPod(h.pod(lease.sandbox()));
            assertThat(pod.state()).isEqualTo(MemberState.READY);
            assertThat(pod.uses()).isEqualTo(1);
        });
        assertThat(pool.lease(lease.id())).isEmpty();
        assertThatThrownBy(() -> pool.release(lease.id())).isInstanceOf(LeaseNotActiveException.class);
        assertThatThrownBy(() -> pool.execute(lease.id(), ExecutionRequest.of("print(1)", Duration.ofSeconds(5))))
                .isInstanceOf(LeaseNotActiveException.class);
    }

    @Test
    void executionsOfOneReplicaShareOneRunnerStreamPerPodAcrossLeases() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");

        Lease first = pool.acquire(Duration.ofSeconds(5), TTL);
        for (int i = 0; i < 3; i++) {
            assertThat(pool.execute(first.id(), ExecutionRequest.of("print(" + i + ")", Duration.ofSeconds(10)))
                    .stdout()).isEqualTo(i + "\n");
        }
        pool.release(first.id());
        await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);
        Lease second = pool.acquire(Duration.ofSeconds(5), TTL);
        assertThat(pool.execute(second.id(), ExecutionRequest.of("print('again')", Duration.ofSeconds(10)))
                .stdout()).isEqualTo("again\n");

        // four executions and a clean-up in between: all on the stream opened by the first one
        assertThat(second.sandbox()).isEqualTo(first.sandbox());
        assertThat(h.exec().cleaned()).containsOnly(first.sandbox());
        assertThat(h.exec().runnerStreamsOpenedTo(first.sandbox())).isEqualTo(1);
    }

    @Test
    void oneShotsRunInAPodTheirReplicaReservedWithoutAWriteEachAndTheNextFindsNothingOfTheLast() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        int cleanedBefore = h.exec().cleaned().size(); // the network check's clean-up

        Pool.Execution first = pool.runOnce(ExecutionRequest.of("open('left', 'w').write('x'); print('once')",
                Duration.ofSeconds(10)), Duration.ofSeconds(5));
        String sandbox = first.lease().sandbox();
        MemberPod reserved = new MemberPod(h.pod(sandbox));
        int writesBefore = podWrites(sandbox).size();
        Pool.Execution second = pool.runOnce(ExecutionRequest.of("import os; print(os.listdir('.'))",
                Duration.ofSeconds(10)), Duration.ofSeconds(5));

        assertThat(first.result().stdout()).isEqualTo("once\n");
        // the pod is held for api-a's one-shots, as a lease no other replica can claim
        assertThat(reserved.state()).isEqualTo(MemberState.LEASED);
        assertThat(reserved.leaseHolder()).isEqualTo("api-a");
        assertThat(second.lease().sandbox()).isEqualTo(sandbox);
        assertThat(second.result().stdout()).isEqualTo("[]\n");
        assertThat(podWrites(sandbox)).hasSize(writesBefore);
        // each one-shot was cleaned in its own round trip
        assertThat(h.exec().cleaned().subList(cleanedBefore, h.exec().cleaned().size()))
                .containsExactly(sandbox, sandbox);
    }

    @Test
    void aReservedPodNoOneShotUsedFor2sGoesBackIdleWithItsUsesAndExecutionsCounted() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        int usesBefore = h.pods("python").get(0).uses();
        String sandbox = null;
        for (int i = 0; i < 3; i++) {
            sandbox = pool.runOnce(ExecutionRequest.of("print(1)", Duration.ofSeconds(10)), Duration.ofSeconds(5))
                    .lease().sandbox();
        }

        h.clock.advance(OneShotReserve.IDLE_RETURN.plusSeconds(1));

        String pod = sandbox;
        await().atMost(ClusterHarness.WAIT).until(() -> new MemberPod(h.pod(pod)).state() == MemberState.READY);
        MemberPod back = new MemberPod(h.pod(pod));
        assertThat(back.uses()).isEqualTo(usesBefore + 3);
        assertThat(back.executions()).isEqualTo(3);
        assertThat(back.leaseId()).isEmpty();
    }

    @Test
    void aLeaseThroughTheSameReplicaGetsThePodItsOneShotsHeldAndFindsNothingOfThem() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Pool.Execution run = pool.runOnce(ExecutionRequest.of("open('left', 'w').write('x')",
                Duration.ofSeconds(10)), Duration.ofSeconds(5));

        Lease next = pool.acquire(Duration.ofSeconds(10), TTL);

        assertThat(next.sandbox()).isEqualTo(run.lease().sandbox());
        assertThat(pool.execute(next.id(), ExecutionRequest.of("import os; print(os.listdir('.'))",
                Duration.ofSeconds(10))).stdout()).isEqualTo("[]\n");
    }

    @Test
    void aOneShotWaitingThroughAnotherReplicaGetsThePodAReplicaReservedOnceItIsFree() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool a = served(h.replica("api-a"), "python");
        Pool b = served(h.replica("api-b"), "python");
        String sandbox = a.runOnce(ExecutionRequest.of("open('left', 'w').write('x')", Duration.ofSeconds(10)),
                Duration.ofSeconds(5)).lease().sandbox();

        // b's caller waits, and says so on the SandboxPool; a gives its free reservation back within its tick
        Pool.Execution throughB = b.runOnce(ExecutionRequest.of("import os; print(os.listdir('.'))",
                Duration.ofSeconds(10)), Duration.ofSeconds(15));

        assertThat(throughB.result().exitCode()).isZero();
        assertThat(throughB.lease().sandbox()).isEqualTo(sandbox);
        assertThat(throughB.result().stdout()).isEqualTo("[]\n");
        assertThat(new MemberPod(h.pod(sandbox)).leaseHolder()).isEqualTo("api-b");
    }

    @Test
    void aReservedPodAtMaxUsesIsRetiredAndTheNextOneShotRunsInItsReplacement() {
        SandboxPoolSpec spec = MockCluster.spec(1, 1);
        spec.getReuse().setMaxUses(2);
        h.createPool("python", spec);
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        List<String> ranIn = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ranIn.add(pool.runOnce(ExecutionRequest.of("print(1)", Duration.ofSeconds(10)), Duration.ofSeconds(20))
                    .lease().sandbox());
        }

        assertThat(ranIn.get(1)).isEqualTo(ranIn.get(0));
        assertThat(ranIn.get(2)).isNotEqualTo(ranIn.get(0));
        await().atMost(ClusterHarness.WAIT).until(() -> h.pods("python").stream()
                .noneMatch(m -> m.name().equals(ranIn.get(0))));
    }

    private List<MockCluster.Sent> podWrites(String pod) {
        return h.cluster.sent(s -> (s.method().equals("PUT") || s.method().equals("PATCH"))
                && s.path().startsWith("/api/v1/namespaces/test/pods/" + pod));
    }

    @Test
    void oneShotWhoseCleanUpFailsIsCleanedAgainOnRelease() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        String only = h.pods("python").get(0).name();
        h.exec().failCleanupOf(only);

        Pool.Execution run = pool.runOnce(ExecutionRequest.of("print(1)", Duration.ofSeconds(10)),
                Duration.ofSeconds(5));

        assertThat(run.result().stdout()).isEqualTo("1\n");
        h.awaitReady("python", 1);
        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(only);
    }

    @Test
    void runnerEndedByAnotherCleanUpIsReopenedForTheNextLease() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease first = pool.acquire(Duration.ofSeconds(5), TTL);
        pool.execute(first.id(), ExecutionRequest.of("print(1)", Duration.ofSeconds(10)));
        pool.release(first.id());
        await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);

        // as another replica's release or the operator's reclaim would: their clean-up kills this runner
        h.exec().killRunnersOf(first.sandbox());
        Lease second = pool.acquire(Duration.ofSeconds(5), TTL);
        ExecutionResult result = pool.execute(second.id(), ExecutionRequest.of("print(2)", Duration.ofSeconds(10)));

        assertThat(result.error()).isNull();
        assertThat(result.stdout()).isEqualTo("2\n");
        assertThat(new MemberPod(h.pod(second.sandbox())).damaged()).isFalse();
        assertThat(h.exec().runnerStreamsOpenedTo(first.sandbox())).isEqualTo(2);
    }

    @Test
    void streamCutOnTheWayIsReopenedWithinTheLeaseWithoutDamage() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        pool.execute(lease.id(), ExecutionRequest.of("open('kept', 'w').write('still here')", Duration.ofSeconds(10)));

        h.exec().dropStreamsOf(lease.sandbox());
        ExecutionResult after = pool.execute(lease.id(), ExecutionRequest.of("print(open('kept').read())",
                Duration.ofSeconds(10)));

        assertThat(after.error()).isNull();
        assertThat(after.stdout()).isEqualTo("still here\n");
        assertThat(new MemberPod(h.pod(lease.sandbox())).damaged()).isFalse();
        assertThat(h.exec().runnerStreamsOpenedTo(lease.sandbox())).isEqualTo(2);
        pool.release(lease.id());
        await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);
    }

    @Test
    void runnerKilledBetweenExecutionsOfALeaseDamagesThePod() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        // user code leaves a process behind that kills the runner once the execution is over
        ExecutionResult planted = pool.execute(lease.id(), ExecutionRequest.of("""
                import os, subprocess
                # the runner: the parent of the zygote that forked this process
                runner = int(open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1])
                subprocess.Popen(['sh', '-c', 'sleep 0.5; kill -9 %d' % runner], start_new_session=True)
                """, Duration.ofSeconds(10)));
        assertThat(planted.error()).isNull();
        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            ExecutionResult next = pool.execute(lease.id(), ExecutionRequest.of("print(1)", Duration.ofSeconds(10)));
            assertThat(next.error()).contains("killed during this lease");
        });
        assertThat(new MemberPod(h.pod(lease.sandbox())).damaged()).isTrue();

        pool.release(lease.id());

        h.awaitReady("python", 1);
        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(lease.sandbox());
    }

    @Test
    void leaseOutlivesTheReplicaThatGaveIt() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        ClusterPools first = h.replica("api-a");
        Lease lease = served(first, "python").acquire(Duration.ofSeconds(5), TTL);
        first.close();

        Pool other = served(h.replica("api-b"), "python");

        assertThat(other.lease(lease.id())).hasValueSatisfying(l -> assertThat(l.sandbox()).isEqualTo(lease.sandbox()));
        assertThat(other.execute(lease.id(), ExecutionRequest.of("print('still mine')", Duration.ofSeconds(10)))
                .stdout()).isEqualTo("still mine\n");
        other.release(lease.id());
        await().atMost(ClusterHarness.WAIT).until(() -> h.idlePods("python").size() == 1);
    }

    @Test
    void callerWaitsForAFreeMemberThenGets429() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        pool.acquire(Duration.ofSeconds(5), TTL);

        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(500), TTL))
                .isInstanceOf(NoSandboxAvailableException.class);
    }

    /**
     * Before, a cluster pool's acquireAsync was the interface's default: a thread of the caller's executor blocked for
     * every waiting caller, so 200 waiting one-shots held every request thread (local mode's issue 13 item 2, left in
     * cluster mode).
     */
    @Test
    void waitingCallersHoldNoThreadAndAreServedInOrder() throws Exception {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease held = pool.acquire(Duration.ofSeconds(5), TTL);
        int threadsBefore = Thread.activeCount();

        List<CompletableFuture<Lease>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(pool.acquireAsync(Duration.ofSeconds(i == 0 ? 30 : 2), TTL));
        }

        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        assertThat(Thread.activeCount() - threadsBefore).as("threads started for 50 waiting callers").isLessThan(5);
        await().atMost(ClusterHarness.WAIT).until(() -> waiting.subList(1, 50).stream().allMatch(
                CompletableFuture::isDone));
        assertThat(waiting.subList(1, 50)).allSatisfy(f -> assertThatThrownBy(f::join)
                .hasCauseInstanceOf(NoSandboxAvailableException.class));
        pool.release(held.id());
        Lease first = waiting.get(0).get(10, TimeUnit.SECONDS);
        assertThat(first.sandbox()).isEqualTo(held.sandbox());
    }

    /** Before, the lease API exported no member, waiting or lease gauge: those dashboard panels were empty. */
    @Test
    void aServedPoolsGaugesFollowItsPodsAndGoWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        h.createPool("python", MockCluster.spec(2, 2));
        h.awaitReady("python", 2);
        Pool pool = served(h.replica("api-a", new PoolMetrics(registry)), "python");

        await().atMost(ClusterHarness.WAIT).until(() -> gauge(registry, "sandboxpool_members", "ready") == 2);
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        await().atMost(ClusterHarness.WAIT).until(() -> gauge(registry, "sandboxpool_members", "leased") == 1
                && gauge(registry, "sandboxpool_leases_active", null) == 1);
        assertThat(gauge(registry, "sandboxpool_waiting_callers", null)).isZero();
        assertThat(gauge(registry, "sandboxpool_backend_up", null)).isEqualTo(1);
        pool.release(lease.id());

        h.deletePool("python");
        await().atMost(ClusterHarness.WAIT).until(() -> registry.find("sandboxpool_members").tag("pool", "python")
                .gauges().isEmpty());
        assertThat(registry.find("sandboxpool_leases_active").gauges()).isEmpty();
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String state) {
        var search = registry.find(name).tag("pool", "python");
        var found = (state == null ? search : search.tag("state", state)).gauge();
        return found == null ? -1 : found.value();
    }

    @Test
    void callerThatWillNotWaitStillGetsAnIdleMember() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");

        Lease lease = pool.acquire(Duration.ZERO, TTL);

        assertThat(lease.warm()).isTrue();
        assertThatThrownBy(() -> pool.acquire(Duration.ZERO, TTL)).isInstanceOf(NoSandboxAvailableException.class);
    }

    @Test
    void singleUseMemberIsDeletedAfterItsLeaseAndReplaced() {
        SandboxPoolSpec spec = MockCluster.spec(1, 2);
        spec.getReuse().setPolicy(ReusePolicy.SingleUse);
        h.createPool("once", spec);
        h.awaitReady("once", 1);
        Pool pool = served(h.replica("api-a"), "once");
        int cleanedBefore = h.exec().cleaned().size(); // the network check's clean-up

        Pool.Execution run = pool.runOnce(ExecutionRequest.of("print('once')", Duration.ofSeconds(10)),
                Duration.ofSeconds(5));

        assertThat(run.result().stdout()).isEqualTo("once\n");
        h.awaitReady("once", 1);
        assertThat(h.pods("once")).extracting(MemberPod::name).doesNotContain(run.lease().sandbox());
        assertThat(h.exec().cleaned().subList(cleanedBefore, h.exec().cleaned().size()))
                .doesNotContain(run.lease().sandbox());
    }

    @Test
    void memberWhoseRunnerDiedIsDeletedAfterRelease() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);

        ExecutionResult result = pool.execute(lease.id(), ExecutionRequest.of(
                "import os, signal\n# the runner: the parent of the zygote that forked this process\n"
                + "os.kill(int(open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1]), 9)", Duration.ofSeconds(10)));
        assertThat(result.error()).isNotNull();
        assertThat(new MemberPod(h.pod(lease.sandbox())).damaged()).isTrue();

        pool.release(lease.id());

        h.awaitReady("python", 1);
        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(lease.sandbox());
    }

    @Test
    void memberThatCannotBeCleanedIsDeleted() {
        h.createPool("python", MockCluster.spec(1, 2));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        h.exec().failCleanupOf(lease.sandbox());

        pool.release(lease.id());

        h.awaitReady("python", 1);
        assertThat(h.pods("python")).extracting(MemberPod::name).doesNotContain(lease.sandbox());
    }

    @Test
    void statsCountMembersByState() {
        h.createPool("python", MockCluster.spec(2, 3));
        h.awaitReady("python", 2);
        Pool pool = served(h.replica("api-a"), "python");
        pool.acquire(Duration.ofSeconds(5), TTL);

        await().atMost(ClusterHarness.WAIT).untilAsserted(() -> {
            PoolStats stats = pool.stats();
            assertThat(stats.backend()).isEqualTo("kubernetes");
            assertThat(stats.ready()).isEqualTo(1);
            assertThat(stats.leased()).isEqualTo(1);
            assertThat(stats.replicas()).isEqualTo(2);
            assertThat(stats.members()).hasSize(2);
            assertThat(stats.conditions()).anySatisfy(c -> assertThat(c.getType()).isEqualTo("Ready"));
        });
    }

    @Test
    void leaseOfOnePoolIsNeverServedByAnotherPoolInTheSameNamespace() {
        h.createPool("a", MockCluster.spec(1, 1));
        h.createPool("b", MockCluster.spec(1, 1));
        h.awaitReady("a", 1);
        h.awaitReady("b", 1);
        ClusterPools replica = h.replica("api-a");
        Pool a = served(replica, "a");
        Pool b = served(replica, "b");
        Lease ofB = b.acquire(Duration.ofSeconds(5), TTL);

        assertThat(a.lease(ofB.id())).isEmpty();
        assertThatThrownBy(() -> a.execute(ofB.id(), ExecutionRequest.of("print(1)", Duration.ofSeconds(5))))
                .isInstanceOf(LeaseNotActiveException.class);
        assertThatThrownBy(() -> a.release(ofB.id())).isInstanceOf(LeaseNotActiveException.class);
        MemberPod held = new MemberPod(h.pod(ofB.sandbox()));
        assertThat(held.state()).isEqualTo(MemberState.LEASED);
        assertThat(held.uses()).isEqualTo(1);
        // the id names its pool: the API finds the pool without asking each one
        assertThat(replica.poolOfLease(ofB.id())).containsSame(b);
        assertThat(b.lease(ofB.id())).isPresent();
    }

    @Test
    void leaseCallsFindTheirPodInTheCacheAndNeverListFromEtcd() {
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        Pool pool = served(h.replica("api-a"), "python");
        Lease lease = pool.acquire(Duration.ofSeconds(5), TTL);
        await().atMost(ClusterHarness.WAIT).until(() -> pool.stats().leased() == 1);
        int before = podLists().size();

        pool.lease(lease.id());
        pool.renew(lease.id(), TTL);
        pool.execute(lease.id(), ExecutionRequest.of("print(1)", Duration.ofSeconds(10)));
        pool.release(lease.id());
        String unknown = lease.id().substring(0, lease.id().length() - 4) + "0000";
        assertThat(pool.lease(unknown)).isEmpty();
        assertThat(pool.whyEnded(unknown)).isEmpty();

        // only the unknown id missed the cache, and its look-ups were answered by the API server's watch cache
        assertThat(podLists().subList(before, podLists().size()))
                .allSatisfy(list -> assertThat(list.path()).contains("resourceVersion=0"))
                .hasSizeLessThanOrEqualTo(3);
    }

    private List<MockCluster.Sent> podLists() {
        return h.cluster.sent(s -> s.method().equals("GET") && s.path().startsWith("/api/v1/namespaces/test/pods?")
                && s.path().contains("labelSelector") && !s.path().contains("watch=true"));
    }

    @Test
    void poolsAreFoundByNameOrByNamespaceAndName() {
        h.createPool("python", MockCluster.spec(0, 1));
        ClusterPools pools = h.replica("api-a");

        await().atMost(ClusterHarness.WAIT).until(() -> pools.find("python").isPresent());
        assertThat(pools.find(MockCluster.NAMESPACE + ".python")).containsSame(pools.find("python").get());
        assertThat(pools.find("other.python")).isEmpty();
        assertThat(pools.find("missing")).isEmpty();
    }
}
