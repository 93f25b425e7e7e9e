package dev.sandboxpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.execution.ExecutionResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lease contract of the {@link LeaseEngine}, run once against each {@link LeaseStore}: in memory on real Docker
 * members ({@code InMemoryLeaseContractIT}), and on pods of the Fabric8 mock server ({@code PodLeaseContractTest}).
 * Each test gets a started pool of exactly one Recycle member, ready.
 */
public abstract class LeaseContract {
    protected static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The pool under test: one member (minSize = maxSize = 1), Recycle, ready. */
    protected abstract Pool pool();

    /** How this store's lease ids name the pool. */
    protected abstract String ref();

    /** Waits until the pool's one member is free again (cleaned after a release). */
    protected void awaitFree() {
        await().atMost(WAIT).until(() -> pool().stats().ready() == 1);
    }

    /** Until an execution of {@code lease} runs: a second one is then refused as busy. */
    private void awaitExecuting(Lease lease) {
        await().atMost(WAIT).until(() -> {
            try {
                pool().execute(lease.id(), code("pass"));
                return false; // ran before the slow one started: try again
            } catch (LeaseBusyException busy) {
                return true;
            }
        });
    }

    private static ExecutionRequest code(String code) {
        return ExecutionRequest.of(code, Duration.ofSeconds(20));
    }

    @Test
    void aLeaseNamesItsPoolAndEndsOnceAtItsRelease() {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);

        assertThat(LeaseIds.pool(lease.id())).contains(ref());
        assertThat(pool().lease(lease.id())).map(Lease::sandbox).contains(lease.sandbox());
        pool().release(lease.id());
        // a store's quick view may show the lease a moment longer (a cluster's informer cache); never for long
        await().atMost(WAIT).until(() -> pool().lease(lease.id()).isEmpty());
        assertThatThrownBy(() -> pool().release(lease.id())).isInstanceOf(LeaseNotActiveException.class);
        assertThatThrownBy(() -> pool().execute(lease.id(), code("print(1)")))
                .isInstanceOf(LeaseNotActiveException.class);
    }

    @Test
    void renewalMovesTheExpiryLater() {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);

        Lease renewed = pool().renew(lease.id(), TTL.multipliedBy(2));

        assertThat(renewed.expiresAt()).isAfter(lease.expiresAt());
        // the store's quick view may lag behind the write a moment (a cluster's informer cache)
        await().atMost(WAIT).until(() -> pool().lease(lease.id()).orElseThrow().expiresAt()
                .equals(renewed.expiresAt()));
        pool().release(lease.id());
    }

    /** Item 9 of the cluster issue, by construction: a lease id that names another pool is no lease of this one. */
    @Test
    void anIdOfAnotherPoolIsNoLeaseHereWhateverItsToken() {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);
        String token = LeaseIds.token(lease.id(), ref()).orElseThrow();
        String elsewhere = LeaseIds.of("another-pool", token);

        assertThat(pool().lease(elsewhere)).isEmpty();
        assertThatThrownBy(() -> pool().execute(elsewhere, code("print(1)")))
                .isInstanceOf(LeaseNotActiveException.class);
        assertThatThrownBy(() -> pool().release(elsewhere)).isInstanceOf(LeaseNotActiveException.class);
        assertThatThrownBy(() -> pool().renew(elsewhere, TTL)).isInstanceOf(LeaseNotActiveException.class);
        // the real lease is untouched by all of that
        assertThat(pool().execute(lease.id(), code("print('still mine')")).stdout()).isEqualTo("still mine\n");
        pool().release(lease.id());
    }

    @Test
    void oneExecutionAtATimePerLease() throws Exception {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);
        CompletableFuture<ExecutionResult> slow = CompletableFuture.supplyAsync(() -> pool().execute(lease.id(),
                code("import time; time.sleep(2); print('slow')")));
        awaitExecuting(lease);

        assertThat(slow.get(WAIT.toSeconds(), TimeUnit.SECONDS).stdout()).isEqualTo("slow\n");
        pool().release(lease.id());
    }

    /**
     * Item 10 of the cluster issue, by construction: a release waits for an execution under way, so nothing of the
     * old tenant runs after the clean-up; the next lease finds the sandbox empty.
     */
    @Test
    void aReleaseWaitsForTheExecutionUnderWayAndTheNextLeaseFindsNothingOfIt() throws Exception {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);
        CompletableFuture<ExecutionResult> running = CompletableFuture.supplyAsync(() -> pool().execute(lease.id(),
                code("import time; time.sleep(1.5); open('written-late', 'w').write('x'); print('done')")));
        awaitExecuting(lease);

        pool().release(lease.id());

        assertThat(running).isDone();
        assertThat(running.get().stdout()).isEqualTo("done\n");
        awaitFree();
        Lease next = pool().acquire(Duration.ofSeconds(10), TTL);
        assertThat(pool().execute(next.id(), code("import os; print(os.path.exists('written-late'))")).stdout())
                .isEqualTo("False\n");
        pool().release(next.id());
    }

    @Test
    void waitingCallersAreServedInOrderAndTheRestTimeOut() throws Exception {
        Lease held = pool().acquire(Duration.ofSeconds(5), TTL);
        CompletableFuture<Lease> first = pool().acquireAsync(Duration.ofSeconds(30), TTL);
        await().atMost(WAIT).until(() -> pool().stats().waiters() == 1);
        CompletableFuture<Lease> second = pool().acquireAsync(Duration.ofSeconds(4), TTL);
        await().atMost(WAIT).until(() -> pool().stats().waiters() == 2);

        pool().release(held.id());

        Lease served = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(served.sandbox()).isEqualTo(held.sandbox());
        assertThat(served.warm()).isFalse();
        assertThatThrownBy(() -> second.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoSandboxAvailableException.class);
        pool().release(served.id());
    }

    @Test
    void aCallerThatWillNotWaitIsRefusedAtOnceWhenNoneIsFree() {
        Lease held = pool().acquire(Duration.ofSeconds(5), TTL);

        assertThatThrownBy(() -> pool().acquire(Duration.ZERO, TTL)).isInstanceOf(NoSandboxAvailableException.class);
        pool().release(held.id());
    }

    @Test
    void aCallerThatLeavesTheLineTakesNoMemberWithIt() throws Exception {
        Lease held = pool().acquire(Duration.ofSeconds(5), TTL);
        CompletableFuture<Lease> gone = pool().acquireAsync(Duration.ofSeconds(30), TTL);
        await().atMost(WAIT).until(() -> pool().stats().waiters() == 1);

        gone.cancel(false);
        pool().release(held.id());

        awaitFree();
        Lease next = pool().acquire(Duration.ofSeconds(10), TTL);
        assertThat(next.sandbox()).isEqualTo(held.sandbox());
        pool().release(next.id());
    }

    @Test
    void aOneShotRunsAndLeavesTheMemberFreeAndClean() {
        Pool.Execution first = pool().runOnce(code("open('one-shot-file', 'w').write('x'); print('ran')"),
                Duration.ofSeconds(10));

        assertThat(first.result().stdout()).isEqualTo("ran\n");
        await().atMost(WAIT).until(() -> pool().lease(first.lease().id()).isEmpty());
        awaitFree();
        Pool.Execution second = pool().runOnce(code("import os; print(os.path.exists('one-shot-file'))"),
                Duration.ofSeconds(10));
        assertThat(second.result().stdout()).isEqualTo("False\n");
    }

    @Test
    void stateStaysWithinALeaseAndNeverReachesTheNext() {
        Lease lease = pool().acquire(Duration.ofSeconds(5), TTL);
        pool().execute(lease.id(), code("open('mine', 'w').write('secret')"));
        assertThat(pool().execute(lease.id(), code("print(open('mine').read())")).stdout()).isEqualTo("secret\n");
        pool().release(lease.id());

        awaitFree();
        Lease next = pool().acquire(Duration.ofSeconds(10), TTL);
        assertThat(pool().execute(next.id(), code("import os; print(os.listdir('.'))")).stdout()).isEqualTo("[]\n");
        pool().release(next.id());
    }
}
