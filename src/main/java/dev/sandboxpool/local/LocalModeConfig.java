package dev.sandboxpool.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.ArrayList;
import java.util.List;

/** Settings of local mode ({@value #PREFIX}.*). */
@ConfigurationProperties(LocalModeConfig.PREFIX)
public class LocalModeConfig {
    public static final String PREFIX = "sandboxpool.local";

    /** SandboxPool YAML files or directories of them. Empty: the built-in default pool {@code python}. */
    private List<String> specs = new ArrayList<>();

    public List<String> getSpecs() {
        return specs;
    }

    public void setSpecs(List<String> specs) {
        this.specs = specs;
    }
}
