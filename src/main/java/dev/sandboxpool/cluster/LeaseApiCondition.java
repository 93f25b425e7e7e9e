package dev.sandboxpool.cluster;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;

/** The lease API over the cluster runs in {@code api} mode, and in {@code operator} mode with api-in-process. */
public class LeaseApiCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        String mode = context.getProperty("sandboxpool.mode", String.class).orElse("local");
        boolean inProcess = context.getProperty(ClusterConfig.PREFIX + ".api-in-process", Boolean.class)
                .orElse(false);
        return mode.equals("api") || mode.equals("operator") && inProcess;
    }
}
