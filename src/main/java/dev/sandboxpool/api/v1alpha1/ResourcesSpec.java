package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

public class ResourcesSpec {
    /** A Kubernetes CPU quantity: {@code 500m}, {@code 1}, {@code 1.5}. */
    public static final String CPU_PATTERN = "^([0-9]+m|[0-9]+(\\.[0-9]+)?)$";
    /** A Kubernetes memory quantity: {@code 256Mi}, {@code 1Gi}, {@code 500M}, {@code 1048576}. */
    public static final String MEMORY_PATTERN = "^[0-9]+(Ki|Mi|Gi|Ti|k|K|M|G|T)?$";

    @Pattern(CPU_PATTERN)
    @Default("1")
    @JsonPropertyDescription("CPU limit of a member, as a Kubernetes quantity (500m, 1, 2).")
    private String cpu = "1";

    @Pattern(MEMORY_PATTERN)
    @Default("256Mi")
    @JsonPropertyDescription("Memory limit of a member, as a Kubernetes quantity (256Mi, 1Gi); exceeding it kills the execution.")
    private String memory = "256Mi";

    @Min(8)
    @Default("128")
    @JsonPropertyDescription("Most processes and threads a member may run at once: a fork bomb stops here.")
    private int pids = 128;

    @Pattern(MEMORY_PATTERN)
    @Default("64Mi")
    @JsonPropertyDescription("Size of the writable work dir (/workspace) and of /tmp, each.")
    private String tmpfsSize = "64Mi";

    public String getCpu() {
        return cpu;
    }

    public void setCpu(String cpu) {
        this.cpu = cpu;
    }

    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        this.memory = memory;
    }

    public int getPids() {
        return pids;
    }

    public void setPids(int pids) {
        this.pids = pids;
    }

    public String getTmpfsSize() {
        return tmpfsSize;
    }

    public void setTmpfsSize(String tmpfsSize) {
        this.tmpfsSize = tmpfsSize;
    }
}
