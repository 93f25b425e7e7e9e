package dev.sandboxpool.operator;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The deny-all NetworkPolicy of one {@code network: None} pool, in the pool's namespace, selecting that pool's
 * {@code network=none} members; owned by the pool, so the garbage collector deletes it with the pool. The chart's
 * policy covers only the namespaces it knows of; this one follows every pool wherever it is.
 *
 * <p>Kept by the reconciler: created before the pool's first member, put back when edited, checked again every
 * {@link NetworkIsolation#RECHECK} (one GET), so a reconcile costs no API call for it otherwise.
 */
final class SandboxNetworkPolicy {
    private final KubernetesClient client;
    private final Map<ResourceID, Kept> kept = new ConcurrentHashMap<>();

    private record Kept(String uid, Instant at) {
    }

    SandboxNetworkPolicy(KubernetesClient client) {
        this.client = client;
    }

    static String name(SandboxPool pool) {
        return pool.getMetadata().getName() + "-deny-all";
    }

    /** The policy as the pool needs it: no rule in either direction, which denies all traffic. */
    static NetworkPolicy desired(SandboxPool pool) {
        Map<String, String> selector = SandboxPodFactory.memberLabels(pool.getMetadata().getName());
        selector.put(MemberPod.NETWORK, "none");
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                    .withName(name(pool))
                    .withNamespace(pool.getMetadata().getNamespace())
                    .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL,
                            pool.getMetadata().getName()))
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion(pool.getApiVersion())
                            .withKind(pool.getKind())
                            .withName(pool.getMetadata().getName())
                            .withUid(pool.getMetadata().getUid())
                            .withController(true)
                            .build())
                .endMetadata()
                .withNewSpec()
                    .withNewPodSelector().withMatchLabels(selector).endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                    .withIngress(List.of())
                    .withEgress(List.of())
                .endSpec()
                .build();
    }

    /**
     * Creates the policy, or puts its spec back, unless that was done for this pool less than {@code every} ago.
     *
     * @throws KubernetesClientException when the API server refuses (say, the operator lacks the RBAC rule): the
     *     reconcile fails and no member is created without its policy
     */
    void keep(SandboxPool pool, Instant now, Duration every) {
        ResourceID id = ResourceID.fromResource(pool);
        Kept last = kept.get(id);
        if (last != null && last.uid().equals(pool.getMetadata().getUid()) && last.at().plus(every).isAfter(now)) {
            return;
        }
        NetworkPolicy desired = desired(pool);
        var policies = client.network().v1().networkPolicies().inNamespace(pool.getMetadata().getNamespace());
        NetworkPolicy current = policies.withName(desired.getMetadata().getName()).get();
        if (current == null) {
            policies.resource(desired).create();
        } else if (!same(current.getSpec(), desired.getSpec())) {
            current.setSpec(desired.getSpec());
            policies.resource(current).update();
        }
        kept.put(id, new Kept(pool.getMetadata().getUid(), now));
    }

    /** Forgets pools that are gone. */
    void retain(Predicate<ResourceID> exists) {
        kept.keySet().removeIf(id -> !exists.test(id));
    }

    /** Empty rule lists come back from the API server as absent ones: both deny everything. */
    private static boolean same(NetworkPolicySpec a, NetworkPolicySpec b) {
        return a != null && Objects.equals(a.getPodSelector(), b.getPodSelector())
                && types(a).equals(types(b))
                && empty(a.getIngress()) && empty(a.getEgress());
    }

    private static Set<String> types(NetworkPolicySpec spec) {
        return spec.getPolicyTypes() == null ? Set.of() : Set.copyOf(spec.getPolicyTypes());
    }

    private static boolean empty(List<?> l) {
        return l == null || l.isEmpty();
    }
}
