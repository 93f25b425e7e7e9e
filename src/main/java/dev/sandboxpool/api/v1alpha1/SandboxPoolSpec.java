package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The declared shape of a pool. Field initialisers are the defaults; {@code @Default} mirrors them in the CRD. */
// The message names both values, as PoolSpecValidator does; the API server falls back to the plain message when it
// cannot evaluate the expression. format(), not string concatenation: the API server estimates string(int) + '...'
// as unbounded and refuses the CRD ("estimated messageExpression cost exceeds budget", seen on Kubernetes 1.34).
@ValidationRule(value = "self.minSize <= self.maxSize", message = "minSize must not be greater than maxSize",
        messageExpression = "'spec.minSize: must not be greater than spec.maxSize (%d > %d)'"
                + ".format([self.minSize, self.maxSize])")
public class SandboxPoolSpec {
    /** A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}. */
    public static final String DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

    @Required
    @JsonPropertyDescription("Container image of the sandbox: python3 with its standard library, run as a non-root user.")
    private String image;

    @SpecReplicas
    @Min(0)
    @Default("2")
    @JsonPropertyDescription("Members the pool keeps at all times, ready or leased; it pre-warms to this many. Also the scale subresource's replicas.")
    private int minSize = 2;

    @Min(1)
    @Default("5")
    @JsonPropertyDescription("Most members the pool ever has, counting those starting and terminating.")
    private int maxSize = 5;

    @Pattern(DURATION_PATTERN)
    @Default("30m")
    @JsonPropertyDescription("Members older than this are retired once idle (never while leased).")
    private String maxAge = "30m";

    @Pattern(DURATION_PATTERN)
    @Default("5m")
    @JsonPropertyDescription("Idle members above minSize are retired after this long without a lease.")
    private String idleTimeout = "5m";

    @JsonPropertyDescription("What happens to a member after a lease: recycled clean or destroyed.")
    private ReuseSpec reuse = new ReuseSpec();

    @JsonPropertyDescription("The health probe: a command that really runs Python inside the sandbox.")
    private HealthProbeSpec healthProbe = new HealthProbeSpec();

    @JsonPropertyDescription("Resource limits of each member.")
    private ResourcesSpec resources = new ResourcesSpec();

    @JsonPropertyDescription("Limits of each execution.")
    private ExecutionSpec execution = new ExecutionSpec();

    @JsonPropertyDescription("Leases: default and longest time to live, and how long callers wait for a member.")
    private LeaseSpec lease = new LeaseSpec();

    @Default("None")
    @JsonPropertyDescription("Network access of members: None (default, no network at all) or Allowed.")
    private NetworkMode network = NetworkMode.None;

    @JsonPropertyDescription("Cluster mode: RuntimeClass of member pods, e.g. gvisor or kata for a stronger boundary.")
    private String runtimeClassName;

    @JsonPropertyDescription("Cluster mode: node labels member pods must be scheduled on.")
    private Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Cluster mode: tolerations of member pods.")
    private List<TolerationSpec> tolerations = new ArrayList<>();

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public int getMinSize() {
        return minSize;
    }

    public void setMinSize(int minSize) {
        this.minSize = minSize;
    }

    public int getMaxSize() {
        return maxSize;
    }

    public void setMaxSize(int maxSize) {
        this.maxSize = maxSize;
    }

    public String getMaxAge() {
        return maxAge;
    }

    public void setMaxAge(String maxAge) {
        this.maxAge = maxAge;
    }

    public String getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(String idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public ReuseSpec getReuse() {
        return reuse;
    }

    public void setReuse(ReuseSpec reuse) {
        this.reuse = reuse;
    }

    public HealthProbeSpec getHealthProbe() {
        return healthProbe;
    }

    public void setHealthProbe(HealthProbeSpec healthProbe) {
        this.healthProbe = healthProbe;
    }

    public ResourcesSpec getResources() {
        return resources;
    }

    public void setResources(ResourcesSpec resources) {
        this.resources = resources;
    }

    public ExecutionSpec getExecution() {
        return execution;
    }

    public void setExecution(ExecutionSpec execution) {
        this.execution = execution;
    }

    public LeaseSpec getLease() {
        return lease;
    }

    public void setLease(LeaseSpec lease) {
        this.lease = lease;
    }

    public String getRuntimeClassName() {
        return runtimeClassName;
    }

    public void setRuntimeClassName(String runtimeClassName) {
        this.runtimeClassName = runtimeClassName;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<TolerationSpec> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<TolerationSpec> tolerations) {
        this.tolerations = tolerations;
    }

    public NetworkMode getNetwork() {
        return network;
    }

    public void setNetwork(NetworkMode network) {
        this.network = network;
    }
}
