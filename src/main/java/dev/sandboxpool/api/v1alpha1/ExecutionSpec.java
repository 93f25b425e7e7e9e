package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

public class ExecutionSpec {
    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("10s")
    @JsonPropertyDescription("Time limit of an execution that asks for none.")
    private String defaultTimeout = "10s";

    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("60s")
    @JsonPropertyDescription("Largest time limit an execution may ask for; larger requests are rejected.")
    private String maxTimeout = "60s";

    @Min(1)
    @Default("1048576")
    @JsonPropertyDescription("Bytes of stdout and of stderr kept per execution; the rest is cut and the result says truncated.")
    private long maxOutputBytes = 1_048_576;

    public String getDefaultTimeout() {
        return defaultTimeout;
    }

    public void setDefaultTimeout(String defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public String getMaxTimeout() {
        return maxTimeout;
    }

    public void setMaxTimeout(String maxTimeout) {
        this.maxTimeout = maxTimeout;
    }

    public long getMaxOutputBytes() {
        return maxOutputBytes;
    }

    public void setMaxOutputBytes(long maxOutputBytes) {
        this.maxOutputBytes = maxOutputBytes;
    }
}
