package dev.sandboxpool.spec;

import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.TolerationSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A validated pool spec with units resolved: what the engine and the backends work from. Made only by
 * {@link PoolSpecValidator}, so every instance is valid.
 */
public record PoolSettings(
        String name,
        String image,
        int minSize,
        int maxSize,
        Duration maxAge,
        Duration idleTimeout,
        ReusePolicy reusePolicy,
        int maxUses,
        List<String> probeCommand,
        String probeExpectOutput,
        Duration probePeriod,
        Duration probeTimeout,
        int probeFailureThreshold,
        long milliCpus,
        long memoryBytes,
        int pids,
        long tmpfsBytes,
        Duration defaultTimeout,
        Duration maxTimeout,
        long maxOutputBytes,
        NetworkMode network,
        Duration leaseDefaultTtl,
        Duration leaseMaxTtl,
        Duration acquireTimeout,
        int maxWaiting,
        String runtimeClassName,
        Map<String, String> nodeSelector,
        List<TolerationSpec> tolerations) {

    public PoolSettings {
        probeCommand = List.copyOf(probeCommand);
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
    }

    /**
     * Identifies the member-shaping part of the spec (image, limits, network, scheduling): members with another hash were made
     * from an older spec and are replaced. Sizes, ages and probe settings change without replacing anyone.
     */
    public String specHash() {
        String shape = String.join("\n", image, Long.toString(milliCpus), Long.toString(memoryBytes),
                Integer.toString(pids), Long.toString(tmpfsBytes), network.name(), String.valueOf(runtimeClassName),
                new java.util.TreeMap<>(nodeSelector).toString(), tolerations.toString());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(shape.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
