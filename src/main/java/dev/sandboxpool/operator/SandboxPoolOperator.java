package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.cluster.ClusterConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java Operator SDK operator with the SandboxPool reconciler registered, configured from {@link ClusterConfig}.
 * The Micronaut process (or a test) starts and stops it.
 */
public final class SandboxPoolOperator {
    private static final Logger log = LoggerFactory.getLogger(SandboxPoolOperator.class);
    private static final AtomicInteger CLEANER_THREADS = new AtomicInteger();
    private static final Duration RECONCILE_TERMINATION = Duration.ofSeconds(10);

    private final Operator operator;
    private final ExecutorService cleaners;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final LeaderLease leaderLease;

    private SandboxPoolOperator(KubernetesClient client, ClusterConfig config, Clock clock) {
        this.leaderLease = config.isLeaderElection() ? LeaderLease.of(client, config) : null;
        this.cleaners = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "lease-reclaim-" + CLEANER_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    // the client is the application's: closed by it, after the operator stopped
                    .withCloseClientOnStop(false)
                    // plain JSON patches: server-side apply is not needed and not available everywhere
                    .withUseSSAToPatchPrimaryResource(false)
                    // on shutdown, reconciles under way finish before the client closes
                    .withReconciliationTerminationTimeout(RECONCILE_TERMINATION)
                    // an API server that is away at start-up (an outage, a restart) is waited for by the informers,
                    // which retry, instead of ending the process in a crash loop; readiness says when they synced.
                    // The start waits only a little for each (the SDK's default, 2 minutes each, kept the process
                    // from serving its health endpoints for longer than the startup probe allows); the reconciler
                    // acts on no pod listing that is not complete (SandboxPoolReconciler.podsListed)
                    .withStopOnInformerErrorDuringStartup(false)
                    .withCacheSyncTimeout(config.getInformerSyncTimeout());
            if (config.isLeaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(config));
            }
        });
        var reconciler = new SandboxPoolReconciler(client, clock, config, cleaners, operatorAddress(config));
        operator.<SandboxPool>register(reconciler, c -> {
            if (config.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(Set.copyOf(config.namespaces()));
            }
            // demand annotations change no generation, and must still be seen; our status writes need no reconcile
            c.withGenerationAware(false).withOnUpdateFilter(SandboxPoolReconciler::worthReconciling);
        });
    }

    private static Optional<InetSocketAddress> operatorAddress(ClusterConfig config) {
        String ip = config.getPodIp();
        return ip == null || ip.isBlank() ? Optional.empty()
                : Optional.of(InetSocketAddress.createUnresolved(ip.strip(), config.getPort()));
    }

    public static SandboxPoolOperator create(KubernetesClient client, ClusterConfig config, Clock clock) {
        return new SandboxPoolOperator(client, config, clock);
    }

    /**
     * The SDK's own exit on lost leadership also fires when the operator is stopped on purpose; here the process
     * exits (to be restarted and rejoin the election) only when leadership is lost while running.
     */
    private io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration leaderElection(ClusterConfig config) {
        var election = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(ClusterConfig.LEADER_LEASE)
                .withIdentity(leaderLease.identity())
                .withExitOnStopLeading(false)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> log.info("leading: this operator reconciles SandboxPools"),
                        this::leadershipLost,
                        leader -> log.info("the leader is {}", leader)));
        election.withLeaseNamespace(leaderLease.namespace());
        return election.build();
    }

    private void leadershipLost() {
        if (!stopping.get()) {
            log.error("lost the leadership of Lease {}: exiting, to be restarted and rejoin the election",
                    ClusterConfig.LEADER_LEASE);
            System.exit(1);
        }
    }

    public void start() {
        operator.start();
    }

    /**
     * Stops reconciling (reconciles under way finish) and leaves the leader election, handing the Lease over: a
     * standby takes it at its next try instead of waiting for it to expire.
     */
    public void stop() {
        stopping.set(true);
        operator.stop();
        cleaners.shutdown();
        if (leaderLease != null) {
            leaderLease.release();
        }
    }

    public RuntimeInfo runtimeInfo() {
        return operator.getRuntimeInfo();
    }
}
