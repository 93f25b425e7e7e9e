package dev.sandboxpool.cluster;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the cluster modes, {@code operator} and {@code api} ({@value #PREFIX}.*; as environment variables
 * {@code SANDBOXPOOL_WATCH_NAMESPACES} and so on).
 */
@ConfigurationProperties(ClusterConfig.PREFIX)
@Requires(property = "sandboxpool.mode", pattern = ClusterConfig.CLUSTER_MODES)
public class ClusterConfig {
    public static final String PREFIX = "sandboxpool";
    /** The modes that run against a Kubernetes cluster. */
    public static final String CLUSTER_MODES = "operator|api";
    /** The coordination.k8s.io Lease that operator replicas elect their leader with. */
    public static final String LEADER_LEASE = "sandbox-pool-operator";

    /** Namespaces whose SandboxPools are served. Default: empty, every namespace. */
    private List<String> watchNamespaces = new ArrayList<>();

    /** Operator mode: elect one active operator among replicas. Default false (run one replica). */
    private boolean leaderElection;

    /** Where the leader election Lease lives. Default: empty, the namespace the operator runs in. */
    private String leaderElectionNamespace;

    /** Operator mode: also serve the lease API (/v1/pools) in this process. Default false. */
    private boolean apiInProcess;

    /** How often each pool is reconciled without an event, for time-based rules (idle, age, expiry). Default 10s. */
    private Duration resyncInterval = Duration.ofSeconds(10);

    /** A member not Ready this long after creation is replaced, and creation backs off (pulls count). Default 5m. */
    private Duration memberStartupTimeout = Duration.ofMinutes(5);

    /**
     * Operator mode: how long the start waits for each informer's first listing before it goes on and lets the
     * informer retry in the background (an API server away at start-up). Default 10s.
     */
    private Duration informerSyncTimeout = Duration.ofSeconds(10);

    /**
     * Operator mode: a change of the ready and leased counts alone (what every lease and release moves) is written to
     * a pool's status at most this often, so a busy pool is not written once per lease. Default 2s.
     */
    private Duration statusLeaseCountsInterval = Duration.ofSeconds(2);

    /**
     * This pod's IP (the chart sets it from the downward API). With {@link #getPort()}: in operator mode, one of the
     * addresses a {@code network: None} member must not reach in the network check; in api mode, where peer replicas
     * forward the calls of this replica's leases ({@link Replica}). Default: empty (not tried, not forwarded to).
     */
    private String podIp;

    /** The port this process serves HTTP on (health, metrics; the API too in api mode). Default 8080. */
    private int port = 8080;

    public String getPodIp() {
        return podIp;
    }

    public void setPodIp(String podIp) {
        this.podIp = podIp;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public List<String> getWatchNamespaces() {
        return watchNamespaces;
    }

    public void setWatchNamespaces(List<String> watchNamespaces) {
        this.watchNamespaces = watchNamespaces;
    }

    public boolean isLeaderElection() {
        return leaderElection;
    }

    public void setLeaderElection(boolean leaderElection) {
        this.leaderElection = leaderElection;
    }

    public String getLeaderElectionNamespace() {
        return leaderElectionNamespace;
    }

    public void setLeaderElectionNamespace(String leaderElectionNamespace) {
        this.leaderElectionNamespace = leaderElectionNamespace;
    }

    public boolean isApiInProcess() {
        return apiInProcess;
    }

    public void setApiInProcess(boolean apiInProcess) {
        this.apiInProcess = apiInProcess;
    }

    public Duration getResyncInterval() {
        return resyncInterval;
    }

    public void setResyncInterval(Duration resyncInterval) {
        this.resyncInterval = resyncInterval;
    }

    public Duration getStatusLeaseCountsInterval() {
        return statusLeaseCountsInterval;
    }

    public void setStatusLeaseCountsInterval(Duration statusLeaseCountsInterval) {
        this.statusLeaseCountsInterval = statusLeaseCountsInterval;
    }

    public Duration getInformerSyncTimeout() {
        return informerSyncTimeout;
    }

    public void setInformerSyncTimeout(Duration informerSyncTimeout) {
        this.informerSyncTimeout = informerSyncTimeout;
    }

    public Duration getMemberStartupTimeout() {
        return memberStartupTimeout;
    }

    public void setMemberStartupTimeout(Duration memberStartupTimeout) {
        this.memberStartupTimeout = memberStartupTimeout;
    }

    /** The watched namespaces without blanks (an empty environment variable gives one empty entry). */
    public List<String> namespaces() {
        return watchNamespaces.stream().map(String::trim).filter(n -> !n.isEmpty()).distinct().toList();
    }
}
