package dev.sandboxpool.operator;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/** Ready when the operator runs and every informer it depends on is connected and synced. */
@Singleton
@Readiness
@Requires(property = "sandboxpool.mode", value = "operator")
public class OperatorReadiness extends AbstractHealthIndicator<Map<String, Object>> {
    private final OperatorProcess process;

    public OperatorReadiness(OperatorProcess process) {
        this.process = process;
    }

    @Override
    protected String getName() {
        return "operator";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        var info = process.operator().runtimeInfo();
        boolean up = info.isStarted() && info.allEventSourcesAreHealthy();
        healthStatus = up ? HealthStatus.UP : HealthStatus.DOWN;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("started", info.isStarted());
        if (!up) {
            info.unhealthyEventSources().forEach((controller, sources) ->
                    details.put(controller, sources.keySet()));
        }
        return details;
    }
}
