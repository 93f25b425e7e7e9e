package dev.sandboxpool.spec;

import dev.sandboxpool.api.v1alpha1.ExecutionSpec;
import dev.sandboxpool.api.v1alpha1.HealthProbeSpec;
import dev.sandboxpool.api.v1alpha1.LeaseSpec;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.ResourcesSpec;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.ReuseSpec;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.api.v1alpha1.TolerationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place a {@link SandboxPoolSpec} is checked, for file specs and custom resources alike. It reports every
 * wrong field at once, each with its path and reason, so a user fixes a spec in one round.
 */
public final class PoolSpecValidator {
    /** Kubernetes object names (DNS-1123 labels): also usable in container names, labels and URLs. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Duration MIN_PROBE_PERIOD = Duration.ofSeconds(1);

    private final List<FieldError> errors = new ArrayList<>();

    private PoolSpecValidator() {
    }

    /** The settings of a valid spec; a missing spec or missing sections take their defaults. */
    public static PoolSettings validate(String name, SandboxPoolSpec spec) {
        return new PoolSpecValidator().check(name, spec == null ? new SandboxPoolSpec() : spec);
    }

    private PoolSettings check(String name, SandboxPoolSpec spec) {
        if (name == null || !NAME.matcher(name).matches()) {
            error("metadata.name", "must be a DNS-1123 label (lower-case letters, digits, '-'; at most 63), got "
                    + quote(name));
        }
        if (spec.getImage() == null || spec.getImage().isBlank()) {
            error("spec.image", "is required");
        }
        if (spec.getMinSize() < 0) {
            error("spec.minSize", "must not be negative, got " + spec.getMinSize());
        }
        if (spec.getMaxSize() < 1) {
            error("spec.maxSize", "must be at least 1, got " + spec.getMaxSize());
        }
        if (spec.getMinSize() > spec.getMaxSize()) {
            error("spec.minSize", "must not be greater than spec.maxSize (" + spec.getMinSize() + " > "
                    + spec.getMaxSize() + ")");
        }
        Duration maxAge = positiveDuration("spec.maxAge", spec.getMaxAge());
        Duration idleTimeout = duration("spec.idleTimeout", spec.getIdleTimeout());

        ReuseSpec reuse = orDefault(spec.getReuse(), new ReuseSpec());
        if (reuse.getPolicy() == null) {
            error("spec.reuse.policy", "must be Recycle or SingleUse");
        }
        if (reuse.getMaxUses() < 1) {
            error("spec.reuse.maxUses", "must be at least 1, got " + reuse.getMaxUses());
        }

        HealthProbeSpec probe = orDefault(spec.getHealthProbe(), new HealthProbeSpec());
        if (probe.getCommand() == null || probe.getCommand().isEmpty()
                || probe.getCommand().stream().anyMatch(a -> a == null)) {
            error("spec.healthProbe.command", "must be a non-empty list of arguments");
        }
        if (probe.getExpectOutput() == null || probe.getExpectOutput().isEmpty()) {
            error("spec.healthProbe.expectOutput", "must not be empty: a probe must prove Python really ran");
        }
        Duration period = positiveDuration("spec.healthProbe.period", probe.getPeriod());
        if (period != null && period.compareTo(MIN_PROBE_PERIOD) < 0) {
            error("spec.healthProbe.period", "must be at least 1s, got " + quote(probe.getPeriod()));
        }
        Duration probeTimeout = positiveDuration("spec.healthProbe.timeout", probe.getTimeout());
        if (probe.getFailureThreshold() < 1) {
            error("spec.healthProbe.failureThreshold", "must be at least 1, got " + probe.getFailureThreshold());
        }

        ResourcesSpec res = orDefault(spec.getResources(), new ResourcesSpec());
        Long milliCpus = Quantities.milliCpus(res.getCpu()).filter(v -> v > 0).orElse(null);
        if (milliCpus == null) {
            error("spec.resources.cpu", "must be a positive CPU quantity such as 500m or 1, got " + quote(res.getCpu()));
        }
        Long memory = bytes("spec.resources.memory", res.getMemory(), 16L << 20);
        if (res.getPids() < 8) {
            error("spec.resources.pids", "must be at least 8 (the runner and Python need a few), got " + res.getPids());
        }
        Long tmpfs = bytes("spec.resources.tmpfsSize", res.getTmpfsSize(), 1L << 20);

        ExecutionSpec exec = orDefault(spec.getExecution(), new ExecutionSpec());
        Duration defaultTimeout = positiveDuration("spec.execution.defaultTimeout", exec.getDefaultTimeout());
        Duration maxTimeout = positiveDuration("spec.execution.maxTimeout", exec.getMaxTimeout());
        if (defaultTimeout != null && maxTimeout != null && defaultTimeout.compareTo(maxTimeout) > 0) {
            error("spec.execution.defaultTimeout", "must not be longer than spec.execution.maxTimeout ("
                    + exec.getDefaultTimeout() + " > " + exec.getMaxTimeout() + ")");
        }
        if (exec.getMaxOutputBytes() < 1) {
            error("spec.execution.maxOutputBytes", "must be at least 1, got " + exec.getMaxOutputBytes());
        }
        LeaseSpec lease = orDefault(spec.getLease(), new LeaseSpec());
        Duration defaultTtl = positiveDuration("spec.lease.defaultTtl", lease.getDefaultTtl());
        Duration maxTtl = positiveDuration("spec.lease.maxTtl", lease.getMaxTtl());
        if (defaultTtl != null && maxTtl != null && defaultTtl.compareTo(maxTtl) > 0) {
            error("spec.lease.defaultTtl", "must not be longer than spec.lease.maxTtl (" + lease.getDefaultTtl()
                    + " > " + lease.getMaxTtl() + ")");
        }
        Duration acquireTimeout = duration("spec.lease.acquireTimeout", lease.getAcquireTimeout());
        if (lease.getMaxWaiting() < 0 || lease.getMaxWaiting() > LeaseSpec.MAX_WAITING_LIMIT) {
            error("spec.lease.maxWaiting", "must be between 0 and " + LeaseSpec.MAX_WAITING_LIMIT + ", got "
                    + lease.getMaxWaiting());
        }
        if (spec.getNetwork() == null) {
            error("spec.network", "must be None or Allowed");
        }

        if (spec.getRuntimeClassName() != null && !NAME.matcher(spec.getRuntimeClassName()).matches()) {
            error("spec.runtimeClassName", "must be a RuntimeClass name, got " + quote(spec.getRuntimeClassName()));
        }
        List<TolerationSpec> tolerations = spec.getTolerations() == null ? List.of() : spec.getTolerations();
        for (int i = 0; i < tolerations.size(); i++) {
            TolerationSpec t = tolerations.get(i);
            if (t.getOperator() != null && !t.getOperator().equals("Exists") && !t.getOperator().equals("Equal")) {
                error("spec.tolerations[" + i + "].operator", "must be Exists or Equal, got " + quote(t.getOperator()));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(name, errors);
        }
        return new PoolSettings(name, spec.getImage().trim(), spec.getMinSize(), spec.getMaxSize(), maxAge,
                idleTimeout, orDefault(reuse.getPolicy(), ReusePolicy.Recycle), reuse.getMaxUses(),
                probe.getCommand(), probe.getExpectOutput(), period, probeTimeout, probe.getFailureThreshold(),
                milliCpus, memory, res.getPids(), tmpfs, defaultTimeout, maxTimeout, exec.getMaxOutputBytes(),
                orDefault(spec.getNetwork(), NetworkMode.None), defaultTtl, maxTtl, acquireTimeout,
                lease.getMaxWaiting(), spec.getRuntimeClassName(), orDefault(spec.getNodeSelector(), Map.of()), tolerations);
    }

    private Duration duration(String field, String text) {
        Optional<Duration> d = Durations.parse(text);
        if (d.isEmpty()) {
            error(field, "must be a duration such as 500ms, 30s, 5m or 1h30m, got " + quote(text));
        }
        return d.orElse(null);
    }

    private Duration positiveDuration(String field, String text) {
        Duration d = duration(field, text);
        if (d != null && (d.isZero() || d.isNegative())) {
            error(field, "must be longer than zero, got " + quote(text));
            return null;
        }
        return d;
    }

    private Long bytes(String field, String text, long minimum) {
        Optional<Long> b = Quantities.bytes(text);
        if (b.isEmpty()) {
            error(field, "must be a memory quantity such as 256Mi or 1Gi, got " + quote(text));
            return null;
        }
        if (b.get() < minimum) {
            error(field, "must be at least " + (minimum >> 20) + "Mi, got " + quote(text));
        }
        return b.get();
    }

    private void error(String field, String reason) {
        errors.add(new FieldError(field, reason));
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }
}
