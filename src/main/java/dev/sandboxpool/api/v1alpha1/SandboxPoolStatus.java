package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a pool. No phase: conditions say how it is doing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxPoolStatus {
    @JsonPropertyDescription("The spec generation this status describes.")
    private Long observedGeneration;

    @StatusReplicas
    @JsonPropertyDescription("Members in any state except terminating.")
    private int replicas;

    @JsonPropertyDescription("Members warm and ready to be leased.")
    private int readyReplicas;

    @JsonPropertyDescription("Members leased right now, or being cleaned after their lease (ready again in moments).")
    private int leasedReplicas;

    @JsonPropertyDescription("Members being created or probed before their first lease.")
    private int startingReplicas;

    @JsonPropertyDescription("Executions run in the pool's members, those gone included (written at most every 5 s when nothing else changes).")
    private long executions;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the pool's members (scale subresource).")
    private String selector;

    @JsonPropertyDescription("Ready, and the conditions that explain it.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public int getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(int readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public int getLeasedReplicas() {
        return leasedReplicas;
    }

    public void setLeasedReplicas(int leasedReplicas) {
        this.leasedReplicas = leasedReplicas;
    }

    public int getStartingReplicas() {
        return startingReplicas;
    }

    public void setStartingReplicas(int startingReplicas) {
        this.startingReplicas = startingReplicas;
    }

    public long getExecutions() {
        return executions;
    }

    public void setExecutions(long executions) {
        this.executions = executions;
    }

    public String getSelector() {
        return selector;
    }

    public void setSelector(String selector) {
        this.selector = selector;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
