package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.DaemonThreads;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolEvents;
import dev.sandboxpool.pool.PoolWatcher;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.spec.InvalidSpecException;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SandboxPools this process sees, as {@link ClusterPool}s for the lease API: informers on the pools and their
 * member pods in the watched namespaces (all, when none is listed).
 *
 * <p>API names: a pool is found by its name when that is unique among the watched namespaces, and always as
 * {@code <namespace>.<name>} (neither part can contain a dot). A name used in two namespaces is found only the
 * second way.
 */
public class ClusterPools implements PoolRegistry, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterPools.class);
    private static final String BY_POOL = "pool";
    private static final String BY_LEASE = "lease";
    private static final String BY_ENDED_LEASE = "ended-lease";

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final Clock clock;
    private final Replica replica;
    private final PoolEvents events;
    private final PoolWatcher watcher;
    private final Map<String, ClusterPool> pools = new ConcurrentHashMap<>();
    /** Pod informers by namespace; the key {@code ""} watches every namespace. */
    private final Map<String, SharedIndexInformer<Pod>> podInformers = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<SandboxPool>> poolInformers =
            Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService cleaners;
    private final ExecutorService leaseCalls;

    /**
     * @param namespaces watched namespaces; empty: every namespace
     * @param replica this process's name, written on the pods it leases
     */
    public ClusterPools(KubernetesClient client, List<String> namespaces, Clock clock, String replica,
            PoolEvents events) {
        this(client, namespaces, clock, replica, events, PoolWatcher.NONE);
    }

    /** @param watcher hears each pool as it is served and when it is no longer (metrics) */
    public ClusterPools(KubernetesClient client, List<String> namespaces, Clock clock, String replica,
            PoolEvents events, PoolWatcher watcher) {
        this(client, namespaces, clock, Replica.named(replica), events, watcher);
    }

    /** @param replica this process, written on the pods it leases: its name, and its address for its peers */
    public ClusterPools(KubernetesClient client, List<String> namespaces, Clock clock, Replica replica,
            PoolEvents events, PoolWatcher watcher) {
        this.client = client;
        this.watcher = watcher;
        this.namespaces = List.copyOf(namespaces);
        this.clock = clock;
        this.replica = replica;
        this.events = events;
        this.cleaners = Executors.newFixedThreadPool(4, DaemonThreads.named("member-clean"));
        // threads only while calls are under way: each is an API request's renewal or release (a release may wait
        // for that lease's execution to end), so request concurrency bounds them
        this.leaseCalls = Executors.newCachedThreadPool(DaemonThreads.named("lease-calls"));
    }

    /** The name lease API replicas write on the pods they lease: the pod name in a cluster. */
    public static String defaultReplicaName() {
        String host = System.getenv("HOSTNAME");
        return host != null && !host.isBlank() ? host : "sandbox-pool-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts the informers: pods first, so a pool has its members when it appears. */
    public ClusterPools start() {
        List<String> scopes = namespaces.isEmpty() ? List.of("") : namespaces;
        for (String ns : scopes) {
            var pods = (ns.isEmpty() ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns))
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).runnableInformer(0);
            pods.addIndexers(Map.of(
                    BY_POOL, p -> List.of(key(p.getMetadata().getNamespace(), new MemberPod(p).pool())),
                    BY_LEASE, p -> labelKey(p, MemberPod.LEASE),
                    BY_ENDED_LEASE, p -> labelKey(p, MemberPod.ENDED_LEASE)));
            pods.addEventHandler(handler(this::podChanged, this::podChanged));
            podInformers.put(ns, pods);
            pods.start();
        }
        for (String ns : scopes) {
            var resources = ns.isEmpty() ? client.resources(SandboxPool.class).inAnyNamespace()
                    : client.resources(SandboxPool.class).inNamespace(ns);
            poolInformers.add(resources.inform(handler(this::poolChanged, this::poolDeleted)));
        }
        log.info("lease API over the cluster: SandboxPools in {}, replica {}",
                namespaces.isEmpty() ? "every namespace" : namespaces, replica.name());
        return this;
    }

    /** Every informer has listed what it watches and keeps watching. */
    public boolean synced() {
        return unsynced().isEmpty();
    }

    /** The informers that are not {@link #synced}, and why: "pods in ns: not listed yet", "...: not watching". */
    public List<String> unsynced() {
        List<String> out = new ArrayList<>();
        podInformers.forEach((ns, i) -> describe(out, "pods in " + (ns.isEmpty() ? "every namespace" : ns), i));
        poolInformers.forEach(i -> describe(out, "SandboxPools", i));
        return out;
    }

    private static void describe(List<String> out, String what, SharedIndexInformer<?> informer) {
        if (!informer.hasSynced()) {
            out.add(what + ": not listed yet");
        } else if (!informer.isWatching()) {
            out.add(what + ": not watching (reconnecting)");
        }
    }

    @Override
    public Optional<Pool> find(String name) {
        int dot = name.indexOf('.');
        if (dot > 0) {
            return Optional.ofNullable(pools.get(key(name.substring(0, dot), name.substring(dot + 1))));
        }
        List<ClusterPool> named = pools.values().stream().filter(p -> p.name().equals(name)).toList();
        return named.size() == 1 ? Optional.of(named.get(0)) : Optional.empty();
    }

    @Override
    public Collection<Pool> all() {
        return List.copyOf(pools.values());
    }

    private void poolChanged(SandboxPool resource) {
        String key = key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        ClusterPool existing = pools.get(key);
        if (existing != null) {
            existing.update(resource);
            return;
        }
        PoolSettings settings;
        try {
            settings = PoolSpecValidator.validate(resource.getMetadata().getName(), resource.getSpec());
        } catch (InvalidSpecException e) {
            log.warn("pool {}: not served until its spec is valid: {}", key, e.getMessage());
            return;
        }
        String ns = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        var pods = podInformers.getOrDefault(ns, podInformers.get(""));
        MemberCache members = new MemberCache() {
            @Override
            public List<Pod> all() {
                return pods.getIndexer().byIndex(BY_POOL, key);
            }

            @Override
            public List<Pod> leasedTo(String token) {
                return pods.getIndexer().byIndex(BY_LEASE, key + "/" + token);
            }

            @Override
            public List<Pod> endedLease(String token) {
                return pods.getIndexer().byIndex(BY_ENDED_LEASE, key + "/" + token);
            }
        };
        ClusterPool pool = new ClusterPool(resource, settings, client, members, clock, replica, events,
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pool-" + name)), cleaners, leaseCalls)
                .start();
        pools.put(key, pool);
        watcher.served(pool);
        log.info("pool {}: served (image {}, minSize {}, maxSize {})", key, settings.image(), settings.minSize(),
                settings.maxSize());
    }

    private void poolDeleted(SandboxPool resource) {
        ClusterPool pool = pools.remove(key(resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
        if (pool != null) {
            watcher.gone(pool);
            pool.stop();
            log.info("pool {}/{}: deleted, no longer served", pool.namespace(), pool.name());
        }
    }

    private void podChanged(Pod pod) {
        ClusterPool pool = pools.get(key(pod.getMetadata().getNamespace(), new MemberPod(pod).pool()));
        if (pool != null) {
            pool.membersChanged();
        }
    }

    /** {@code <namespace>/<pool>/<label value>}, for pods that have the label. */
    private static List<String> labelKey(Pod p, String label) {
        Map<String, String> labels = p.getMetadata().getLabels();
        String value = labels == null ? null : labels.get(label);
        return value == null ? List.of()
                : List.of(key(p.getMetadata().getNamespace(), new MemberPod(p).pool()) + "/" + value);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    @Override
    public void close() {
        poolInformers.forEach(SharedIndexInformer::close);
        podInformers.values().forEach(SharedIndexInformer::close);
        pools.values().forEach(ClusterPool::stop);
        pools.clear();
        cleaners.shutdown();
        leaseCalls.shutdown();
        try {
            // the pools' last writes (one-shot reservations given back, clean-ups) before the client goes away
            if (!cleaners.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("clean-ups and hand-backs still under way after 5 s; their pods are reclaimed by the operator");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                deleted.accept(obj);
            }
        };
    }
}
