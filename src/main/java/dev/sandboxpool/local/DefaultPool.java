package dev.sandboxpool.local;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import java.util.Map;

/**
 * The pool local mode serves when no spec file is given: {@code python}, with the spec defaults. The settings of the
 * container-pool design this product replaces keep working as environment overrides of it.
 */
public final class DefaultPool {
    public static final String NAME = "python";
    public static final String IMAGE = "sandboxpool/python:latest";

    private DefaultPool() {
    }

    public static SandboxPool fromEnvironment(Map<String, String> env) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(env.getOrDefault("SANDBOX_IMAGE", IMAGE));
        if (env.containsKey("POOL_MIN_SIZE")) {
            spec.setMinSize(integer(env, "POOL_MIN_SIZE"));
        }
        if (env.containsKey("POOL_MAX_SIZE")) {
            spec.setMaxSize(integer(env, "POOL_MAX_SIZE"));
        }
        if (env.containsKey("POOL_MAX_CONTAINER_AGE_MS")) {
            spec.setMaxAge(integer(env, "POOL_MAX_CONTAINER_AGE_MS") + "ms");
        }
        String enabled = env.get("ENABLE_CONTAINER_POOL");
        if (enabled != null && !enabled.equalsIgnoreCase("true") && !enabled.equalsIgnoreCase("false")) {
            throw new SpecFileException("ENABLE_CONTAINER_POOL must be true or false, got \"" + enabled + "\"");
        }
        if ("false".equalsIgnoreCase(enabled)) {
            // a fresh container per execution: nothing kept warm, nothing reused
            spec.setMinSize(0);
            spec.getReuse().setPolicy(ReusePolicy.SingleUse);
        }
        return new SandboxPool(NAME, spec);
    }

    private static int integer(Map<String, String> env, String name) {
        try {
            return Integer.parseInt(env.get(name).trim());
        } catch (NumberFormatException e) {
            throw new SpecFileException(name + " must be a whole number, got \"" + env.get(name) + "\"");
        }
    }
}
