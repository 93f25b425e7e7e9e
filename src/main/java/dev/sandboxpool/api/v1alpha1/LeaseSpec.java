package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
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

    @Min(0)
    @Max(MAX_WAITING_LIMIT)
    @Default("100")
    @JsonPropertyDescription("Most callers that may wait for a member of this pool at once; one more is answered 429 at once. "
            + "0: nobody waits, a caller that finds no ready member is answered 429 at once.")
    private int maxWaiting = 100;

    /** The largest maxWaiting accepted: a waiting caller costs memory, not a thread. */
    public static final int MAX_WAITING_LIMIT = 100_000;

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

    public int getMaxWaiting() {
        return maxWaiting;
    }

    public void setMaxWaiting(int maxWaiting) {
        this.maxWaiting = maxWaiting;
    }
}
