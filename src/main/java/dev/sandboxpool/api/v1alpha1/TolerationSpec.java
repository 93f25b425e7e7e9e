package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A Kubernetes toleration for member pods (cluster mode only). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TolerationSpec {
    @JsonPropertyDescription("Taint key the toleration applies to; empty with operator Exists matches every taint.")
    private String key;
    @JsonPropertyDescription("Exists or Equal (default Equal).")
    private String operator;
    @JsonPropertyDescription("Taint value to match with operator Equal.")
    private String value;
    @JsonPropertyDescription("NoSchedule, PreferNoSchedule or NoExecute; empty matches all effects.")
    private String effect;
    @JsonPropertyDescription("With NoExecute: how long the pod stays bound after the taint appears.")
    private Long tolerationSeconds;

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getOperator() {
        return operator;
    }

    public void setOperator(String operator) {
        this.operator = operator;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public String getEffect() {
        return effect;
    }

    public void setEffect(String effect) {
        this.effect = effect;
    }

    public Long getTolerationSeconds() {
        return tolerationSeconds;
    }

    public void setTolerationSeconds(Long tolerationSeconds) {
        this.tolerationSeconds = tolerationSeconds;
    }

    @Override
    public String toString() {
        return key + ":" + operator + ":" + value + ":" + effect + ":" + tolerationSeconds;
    }
}
