package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.pool.LeaseEngine;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SandboxPool as the lease API serves it in a cluster: the {@link LeaseEngine} over the pool's pods ({@link
 * PodLeaseStore}). The operator creates and retires members and reclaims expired leases; this replica claims,
 * renews, executes in and releases.
 *
 * <p>Callers of one process wait first come, first served: the pool's dispatcher thread claims pods for them in
 * order, when a pod turns idle and once a second, and publishes their number for the operator ({@link Demand}).
 */
public final class ClusterPool extends LeaseEngine {
    private static final Logger log = LoggerFactory.getLogger(ClusterPool.class);
    private static final Duration TICK = Duration.ofSeconds(1);

    private final PodLeaseStore store;
    private final ScheduledExecutorService dispatcher;

    /**
     * @param members this pool's pods, from an informer's cache
     * @param replica this process, written on the pods it leases (and its name on its demand annotation)
     * @param dispatcher one thread of this pool's own: waiting callers are served in order there
     * @param cleaners runs clean-ups of released members
     * @param leaseCalls runs lease lookups, claims, renewals and releases (see {@link #leaseCalls()})
     */
    public ClusterPool(SandboxPool resource, PoolSettings settings, KubernetesClient client,
            MemberCache members, Clock clock, Replica replica, PoolEvents events,
            ScheduledExecutorService dispatcher, ExecutorService cleaners, Executor leaseCalls) {
        this(new PodLeaseStore(resource, settings, client, members, clock, replica, events, dispatcher, cleaners,
                leaseCalls), events, dispatcher);
    }

    private ClusterPool(PodLeaseStore store, PoolEvents events, ScheduledExecutorService dispatcher) {
        super(store, events, dispatcher);
        this.store = store;
        this.dispatcher = dispatcher;
    }

    /** Starts serving waiting callers once a second besides pod events. */
    ClusterPool start() {
        dispatcher.scheduleWithFixedDelay(store::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public String namespace() {
        return store.namespace();
    }

    /** The SandboxPool changed: a valid spec applies at once; an invalid one is ignored, the last valid one stays. */
    void update(SandboxPool newer) {
        store.update(newer);
    }

    /** A member pod changed: a waiting caller may be served now. */
    void membersChanged() {
        store.membersChanged();
    }

    /** The pool is gone (or this process stops): waiting callers are refused, the demand annotation removed. */
    void stop() {
        stopLeasing();
        store.stop();
        dispatcher.shutdown();
        try {
            // the demand annotation is removed before the client goes away
            if (!dispatcher.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("pool {}/{}: its dispatcher did not stop within 5 s", namespace(), name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.closeRunners();
    }
}
