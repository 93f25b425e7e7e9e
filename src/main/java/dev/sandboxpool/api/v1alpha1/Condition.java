package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One observation about a pool, after the Kubernetes API conventions: {@code lastTransitionTime} changes only when
 * {@code status} flips.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public static final String TYPE_READY = "Ready";
    public static final String TYPE_PROGRESSING = "Progressing";
    public static final String TYPE_DEGRADED = "Degraded";

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    /** Ready: at least minSize members are warm (or minSize is 0 and the pool can create members). */
    public static final String REASON_POOL_READY = "PoolReady";
    /** Ready=False: members are being created towards minSize. */
    public static final String REASON_WARMING = "Warming";
    /** Ready=False: the spec failed validation; the message names the field. */
    public static final String REASON_INVALID_SPEC = "InvalidSpec";
    /** Ready=False / Degraded: members fail to start or to pass the probe; creation backs off. */
    public static final String REASON_START_FAILING = "StartFailing";
    /** Ready=False / Degraded: the backend (the Docker daemon) does not answer; the pool waits for it. */
    public static final String REASON_BACKEND_UNAVAILABLE = "BackendUnavailable";
    /** Degraded: every member is leased and maxSize is reached; callers wait. */
    public static final String REASON_AT_CAPACITY = "AtCapacity";
    /** Degraded=False: nothing wrong. */
    public static final String REASON_AS_EXPECTED = "AsExpected";
    /** Progressing: members are starting, being replaced or retired. */
    public static final String REASON_SCALING = "Scaling";
    /** Progressing=False: the pool has the declared shape. */
    public static final String REASON_STABLE = "Stable";

    @JsonPropertyDescription("Ready, Progressing or Degraded.")
    private String type;
    @JsonPropertyDescription("True, False or Unknown.")
    private String status;
    @JsonPropertyDescription("One CamelCase word saying why.")
    private String reason;
    @JsonPropertyDescription("What a person should know.")
    private String message;
    @JsonPropertyDescription("When status last changed (RFC 3339).")
    private String lastTransitionTime;
    @JsonPropertyDescription("The spec generation this condition was computed from.")
    private Long observedGeneration;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getLastTransitionTime() {
        return lastTransitionTime;
    }

    public void setLastTransitionTime(String lastTransitionTime) {
        this.lastTransitionTime = lastTransitionTime;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Condition c)) {
            return false;
        }
        return Objects.equals(type, c.type) && Objects.equals(status, c.status) && Objects.equals(reason, c.reason)
                && Objects.equals(message, c.message) && Objects.equals(lastTransitionTime, c.lastTransitionTime)
                && Objects.equals(observedGeneration, c.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }
}
