package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.TolerationSpec;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.execution.SandboxScripts;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pod of one member, hardened by default: as a pure function of the pool and its validated settings, so every
 * hardening choice is unit-tested without a cluster.
 *
 * <p>The pids limit of local mode has no per-pod field in Kubernetes: it is the kubelet's {@code podPidsLimit}.
 */
public final class SandboxPodFactory {
    /** The unprivileged user and group every sandbox process runs as ({@code nobody}). */
    public static final long SANDBOX_UID = 65534;
    /** /dev/shm is capped like Docker's default shm size, or smaller when the tmpfs size is. */
    private static final long MAX_SHM_BYTES = 64L << 20;
    private static final String PROBE = load("probe.py");
    /** Start-up checks a second apart before the kubelet would give up (an hour: longer than any start-up deadline). */
    static final int STARTUP_PROBE_ATTEMPTS = 3600;
    /** Disk a member may use on its node (container log, writable layer): bounded so no lease can fill the node. */
    static final String EPHEMERAL_STORAGE = "64Mi";
    /** CPU a member reserves on its node at most (its limit is the spec's resources.cpu). */
    static final long CPU_REQUEST_MILLIS = 250;

    private SandboxPodFactory() {
    }

    /** Labels that select every member of a pool (the status's selector, the informers' and deletes' filter). */
    public static Map<String, String> memberLabels(String pool) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        labels.put(Labels.POOL, pool);
        return labels;
    }

    /** The same as a label selector: {@code app.kubernetes.io/managed-by=sandbox-pool,sandboxpool.dev/pool=x}. */
    public static String memberSelector(String pool) {
        return memberLabels(pool).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /**
     * @param name the pod's name ({@code <pool>-<suffix>})
     * @param createdAt now by the operator's clock: ages are measured against the same clock
     */
    public static Pod build(SandboxPool owner, PoolSettings s, String name, Instant createdAt) {
        Map<String, String> labels = memberLabels(s.name());
        labels.put(Labels.SPEC_HASH, s.specHash());
        // the chart's NetworkPolicy denies all traffic to and from pods labelled none
        labels.put(MemberPod.NETWORK, s.network() == NetworkMode.Allowed ? "allowed" : "none");
        labels.put(MemberPod.STATE, StateLabel.of(MemberState.STARTING));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(MemberPod.CREATED_AT, createdAt.toString());
        annotations.put(MemberPod.STATE_SINCE, createdAt.toString());

        return new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(owner.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(ownerReference(owner))
                .endMetadata()
                .withNewSpec()
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    // a member whose init process ends is replaced, never restarted: its state would be unknown
                    .withRestartPolicy("Never")
                    // the init process stops at once on SIGTERM
                    .withTerminationGracePeriodSeconds(5L)
                    .withSecurityContext(new PodSecurityContextBuilder()
                            .withRunAsNonRoot(true)
                            .withRunAsUser(SANDBOX_UID)
                            .withRunAsGroup(SANDBOX_UID)
                            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .build())
                    .withRuntimeClassName(s.runtimeClassName())
                    .withNodeSelector(s.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(s.nodeSelector()))
                    .withTolerations(s.tolerations().stream().map(SandboxPodFactory::toleration).toList())
                    .withContainers(container(s))
                    .withVolumes(memoryVolume("workspace", s.tmpfsBytes()), memoryVolume("tmp", s.tmpfsBytes()),
                            memoryVolume("shm", Math.min(s.tmpfsBytes(), MAX_SHM_BYTES)))
                .endSpec()
                .build();
    }

    private static Container container(PoolSettings s) {
        Map<String, Quantity> limits = Map.of(
                "cpu", new Quantity(s.milliCpus() + "m"),
                "memory", new Quantity(Long.toString(s.memoryBytes())),
                // the root file system is read-only, the writable dirs are memory and PID 1 writes no log: nothing of
                // a sandbox should reach the node's disk, and whatever does is bounded (the kubelet evicts the pod)
                "ephemeral-storage", new Quantity(EPHEMERAL_STORAGE));
        return new ContainerBuilder()
                .withName(MemberPod.CONTAINER)
                .withImage(s.image())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(SandboxScripts.initCommand())
                .withWorkingDir(SandboxScripts.WORKDIR)
                .addNewEnv().withName("HOME").withValue(SandboxScripts.WORKDIR).endEnv()
                .addNewEnv().withName("LANG").withValue("C.UTF-8").endEnv()
                .addNewEnv().withName("PYTHONDONTWRITEBYTECODE").withValue("1").endEnv()
                .withResources(new ResourceRequirementsBuilder().withLimits(limits).withRequests(requests(s, limits))
                        .build())
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withReadOnlyRootFilesystem(true)
                        .withAllowPrivilegeEscalation(false)
                        .withPrivileged(false)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .build())
                .withNewReadinessProbe()
                    .withNewExec().withCommand(readinessCommand(s)).endExec()
                    .withPeriodSeconds(seconds(s.probePeriod().toMillis()))
                    .withTimeoutSeconds(seconds(s.probeTimeout().toMillis()))
                    .withFailureThreshold(s.probeFailureThreshold())
                    .withSuccessThreshold(1)
                .endReadinessProbe()
                // Until the first success, the same check every second: with the readiness probe alone, a member whose
                // first check came too early (its container still starting on a busy node) stayed unready for a
                // whole probe period, 30 s by default (seen in `./sandboxpool bench --cluster`: a pool start 16.8x
                // bare pod starts once). The kubelet runs the readiness probe at once when this one passes. Its
                // threshold never ends a member: the operator's start-up deadline does, with its back-off.
                .withNewStartupProbe()
                    .withNewExec().withCommand(readinessCommand(s)).endExec()
                    .withPeriodSeconds(1)
                    .withTimeoutSeconds(seconds(s.probeTimeout().toMillis()))
                    .withFailureThreshold(STARTUP_PROBE_ATTEMPTS)
                    .withSuccessThreshold(1)
                .endStartupProbe()
                .withVolumeMounts(mount("workspace", SandboxScripts.WORKDIR), mount("tmp", "/tmp"),
                        mount("shm", "/dev/shm"))
                .build();
    }

    /**
     * Requests equal limits but for CPU, which asks for at most {@link #CPU_REQUEST_MILLIS}: a warm member idles
     * until a lease runs code, and reserving its whole CPU limit kept the default pool (one CPU per member) from
     * fitting beside the operator on a 2-CPU node (issue 11 item 4). Memory and disk stay reserved in full, so a
     * member within them is never evicted for another pod's use.
     */
    private static Map<String, Quantity> requests(PoolSettings s, Map<String, Quantity> limits) {
        Map<String, Quantity> requests = new java.util.LinkedHashMap<>(limits);
        requests.put("cpu", new Quantity(Math.min(s.milliCpus(), CPU_REQUEST_MILLIS) + "m"));
        return requests;
    }

    /** What the kubelet runs for readiness: the pool's health command, passing only with the expected output. */
    public static List<String> readinessCommand(PoolSettings s) {
        List<String> args = new ArrayList<>(List.of(s.probeExpectOutput()));
        args.addAll(s.probeCommand());
        return SandboxScripts.python(PROBE, args);
    }

    private static VolumeMount mount(String volume, String path) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).build();
    }

    private static OwnerReference ownerReference(SandboxPool owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** A size-limited tmpfs: counts against the pod's memory, like Docker's tmpfs in local mode. */
    private static Volume memoryVolume(String name, long bytes) {
        return new VolumeBuilder().withName(name)
                .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(Long.toString(bytes))).endEmptyDir()
                .build();
    }

    private static Toleration toleration(TolerationSpec t) {
        return new TolerationBuilder().withKey(t.getKey()).withOperator(t.getOperator()).withValue(t.getValue())
                .withEffect(t.getEffect()).withTolerationSeconds(t.getTolerationSeconds()).build();
    }

    /** Probe timings are whole seconds in Kubernetes: rounded up, at least 1. */
    private static int seconds(long millis) {
        return (int) Math.max(1, (millis + 999) / 1000);
    }

    private static String load(String resource) {
        try (InputStream in = SandboxPodFactory.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource + " in the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
