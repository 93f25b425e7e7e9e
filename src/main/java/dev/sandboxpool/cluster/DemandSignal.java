package dev.sandboxpool.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes how many callers of this process wait for one pool ({@link Demand}), so the operator grows the pool.
 * Writes only on changes (at most once a second while callers keep waiting) and to refresh, as a JSON merge patch
 * of one annotation: no resourceVersion needed, every replica owns its own key. Called from one thread.
 */
final class DemandSignal {
    private static final Logger log = LoggerFactory.getLogger(DemandSignal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REFRESH = Demand.FRESH_FOR.dividedBy(3);
    private static final Duration MIN_GAP = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final String namespace;
    private final String pool;
    private final String key;
    private final Clock clock;
    private int published;
    private Instant publishedAt = Instant.EPOCH;

    DemandSignal(KubernetesClient client, String namespace, String pool, String replica, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.pool = pool;
        this.key = Demand.key(replica);
        this.clock = clock;
    }

    void publish(int waiting) {
        Instant now = clock.instant();
        boolean started = published == 0 && waiting > 0;
        boolean ended = published > 0 && waiting == 0;
        boolean changed = waiting != published && !publishedAt.plus(MIN_GAP).isAfter(now);
        boolean refresh = waiting > 0 && !publishedAt.plus(REFRESH).isAfter(now);
        if (!started && !ended && !changed && !refresh) {
            return;
        }
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
        if (waiting > 0) {
            annotations.put(key, Demand.value(waiting, now));
        } else {
            annotations.putNull(key);
        }
        try {
            client.resources(SandboxPool.class).inNamespace(namespace).withName(pool)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
            published = waiting;
            publishedAt = now;
        } catch (KubernetesClientException e) {
            // the next call (every second while callers wait) tries again
            log.warn("pool {}/{}: cannot publish {} waiting callers: {}", namespace, pool, waiting, e.getMessage());
        }
    }
}
