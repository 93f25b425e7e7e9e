package dev.sandboxpool.operator;

import dev.sandboxpool.cluster.ClusterConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operator mode: the operator starts with the application and stops, informers and all, with it. */
@Context
@Requires(property = "sandboxpool.mode", value = "operator")
public class OperatorProcess {
    private static final Logger log = LoggerFactory.getLogger(OperatorProcess.class);

    private final SandboxPoolOperator operator;

    public OperatorProcess(KubernetesClient client, ClusterConfig config) {
        this.operator = SandboxPoolOperator.create(client, config, Clock.systemUTC());
        log.info("operator mode: watching SandboxPools in {} (leader election {}), cluster {}",
                config.namespaces().isEmpty() ? "every namespace" : config.namespaces(),
                config.isLeaderElection() ? "on" : "off", client.getMasterUrl());
        operator.start();
    }

    public SandboxPoolOperator operator() {
        return operator;
    }

    @PreDestroy
    void stop() {
        log.info("operator mode: stopping");
        operator.stop();
    }
}
