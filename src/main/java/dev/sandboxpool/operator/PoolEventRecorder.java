package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator did to a pool, as Kubernetes Events (events.k8s.io/v1) on the SandboxPool, for
 * {@code kubectl describe sbp} and {@code kubectl events}: members created, ready, retired (and why), ended, start
 * failures. Events are about members and the pool, never about executions, and a repeat of the same event (same
 * reason and note) within {@link #SERIES_WINDOW} is counted on the first one as a series, as the Kubernetes event
 * recorder does, instead of being a new object.
 *
 * <p>Best effort, as Events are meant to be: they are written off the reconcile threads, and a write that fails (no
 * RBAC for events, an API server that refuses) is logged once and never fails a reconcile.
 */
public final class PoolEventRecorder {
    private static final Logger log = LoggerFactory.getLogger(PoolEventRecorder.class);
    static final String CONTROLLER = "sandboxpool.dev/operator";
    static final String NORMAL = "Normal";
    static final String WARNING = "Warning";
    /** How long a repeat of an event is counted on the first instead of being an Event of its own. */
    static final Duration SERIES_WINDOW = Duration.ofMinutes(10);
    private static final int MAX_NOTE = 1024;
    private static final int REMEMBERED = 1000;
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService writer;
    private final String instance;
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Events written recently, by pool, reason and note: a repeat is counted on them. */
    private final Map<String, Written> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > REMEMBERED;
        }
    };

    private record Written(String namespace, String name, Instant first, int count) {
    }

    /** @param writer runs the writes, in order (a single thread) */
    public PoolEventRecorder(KubernetesClient client, Clock clock, ExecutorService writer, String instance) {
        this.client = client;
        this.clock = clock;
        this.writer = writer;
        this.instance = instance;
    }

    public void normal(SandboxPool pool, String reason, String action, String note) {
        record(pool, NORMAL, reason, action, note);
    }

    public void warning(SandboxPool pool, String reason, String action, String note) {
        record(pool, WARNING, reason, action, note);
    }

    private void record(SandboxPool pool, String type, String reason, String action, String note) {
        ObjectReference regarding = new ObjectReferenceBuilder().withApiVersion(pool.getApiVersion())
                .withKind(pool.getKind()).withName(pool.getMetadata().getName())
                .withNamespace(pool.getMetadata().getNamespace()).withUid(pool.getMetadata().getUid())
                .withResourceVersion(pool.getMetadata().getResourceVersion()).build();
        String text = note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE - 3) + "..." : note;
        Instant now = clock.instant();
        try {
            writer.execute(() -> write(regarding, type, reason, action, text, now));
        } catch (RejectedExecutionException e) {
            // the operator is stopping: nothing more to tell
        }
    }

    private void write(ObjectReference regarding, String type, String reason, String action, String note,
            Instant now) {
        String key = regarding.getUid() + "\n" + reason + "\n" + note;
        try {
            Written earlier = recent.get(key);
            if (earlier != null && Duration.between(earlier.first(), now).compareTo(SERIES_WINDOW) < 0) {
                int count = earlier.count() + 1;
                // a merge patch: no read first, so the operator needs only create and patch on events
                client.events().v1().events().inNamespace(earlier.namespace()).withName(earlier.name())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"series\":{\"count\":" + count
                                + ",\"lastObservedTime\":\"" + MICRO.format(now) + "\"}}");
                recent.put(key, new Written(earlier.namespace(), earlier.name(), earlier.first(), count));
                return;
            }
            String name = regarding.getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            Event event = new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(regarding.getNamespace()).endMetadata()
                    .withRegarding(regarding)
                    .withType(type).withReason(reason).withAction(action).withNote(note)
                    .withEventTime(new MicroTime(MICRO.format(now)))
                    .withReportingController(CONTROLLER).withReportingInstance(instance)
                    .build();
            client.events().v1().events().inNamespace(regarding.getNamespace()).resource(event).create();
            recent.put(key, new Written(regarding.getNamespace(), name, now, 1));
        } catch (RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                log.warn("cannot write Events (further failures are logged at debug): {}", e.getMessage());
            } else {
                log.debug("cannot write an Event {} on {}: {}", reason, regarding.getName(), e.getMessage());
            }
        }
    }
}
