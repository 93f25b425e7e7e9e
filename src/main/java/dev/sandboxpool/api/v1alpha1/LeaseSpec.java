package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

public class LeaseSpec {
    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("60s")
    @JsonPropertyDescription("Time to live of a lease that asks for none; a lease not renewed by then is reclaimed.")
    private String defaultTtl = "60s";

    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("10m")
    @JsonPropertyDescription("Longest time to live a lease may have; longer requests are capped to it.")
    private String maxTtl = "10m";

    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("30s")
    @JsonPropertyDescription("Longest a caller waits for a free member before the API answers 429; longer requests are capped.")
    private String acquireTimeout = "30s";

    public String getDefaultTtl() {
        return defaultTtl;
    }

    public void setDefaultTtl(String defaultTtl) {
        this.defaultTtl = defaultTtl;
    }

    public String getMaxTtl() {
        return maxTtl;
    }

    public void setMaxTtl(String maxTtl) {
        this.maxTtl = maxTtl;
    }

    public String getAcquireTimeout() {
        return acquireTimeout;
    }

    public void setAcquireTimeout(String acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }
}
