package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

public class HealthProbeSpec {
    @JsonPropertyDescription("Command run inside the sandbox; it must print expectOutput. Defaults to python3 printing HEALTH_OK.")
    private List<String> command = new ArrayList<>(List.of("python3", "-c", "print('HEALTH_OK')"));

    @Default("HEALTH_OK")
    @JsonPropertyDescription("Text the probe's standard output must contain.")
    private String expectOutput = "HEALTH_OK";

    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("30s")
    @JsonPropertyDescription("How often each idle member is probed.")
    private String period = "30s";

    @Pattern(SandboxPoolSpec.DURATION_PATTERN)
    @Default("2s")
    @JsonPropertyDescription("How long one probe may take before it counts as failed.")
    private String timeout = "2s";

    @Min(1)
    @Default("1")
    @JsonPropertyDescription("Consecutive failed probes after which a member is replaced.")
    private int failureThreshold = 1;

    public List<String> getCommand() {
        return command;
    }

    public void setCommand(List<String> command) {
        this.command = command;
    }

    public String getExpectOutput() {
        return expectOutput;
    }

    public void setExpectOutput(String expectOutput) {
        this.expectOutput = expectOutput;
    }

    public String getPeriod() {
        return period;
    }

    public void setPeriod(String period) {
        this.period = period;
    }

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public int getFailureThreshold() {
        return failureThreshold;
    }

    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = failureThreshold;
    }
}
