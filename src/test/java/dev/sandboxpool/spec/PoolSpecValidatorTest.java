package dev.sandboxpool.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PoolSpecValidatorTest {
    private static final String IMAGE = "sandboxpool/python:latest";

    @Test
    void specWithOnlyAnImageGetsDefaultSizesAndAges() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.name()).isEqualTo("python");
        assertThat(settings.image()).isEqualTo(IMAGE);
        assertThat(settings.minSize()).isEqualTo(2);
        assertThat(settings.maxSize()).isEqualTo(5);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void specWithOnlyAnImageRecyclesMembersUpToHundredUses() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.reusePolicy()).isEqualTo(ReusePolicy.Recycle);
        assertThat(settings.maxUses()).isEqualTo(100);
    }

    @Test
    void specWithOnlyAnImageProbesThatPythonRuns() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.probeCommand()).containsExactly("python3", "-c", "print('HEALTH_OK')");
        assertThat(settings.probeExpectOutput()).isEqualTo("HEALTH_OK");
        assertThat(settings.probePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.probeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.probeFailureThreshold()).isEqualTo(1);
    }

    @Test
    void specWithOnlyAnImageGetsDefaultLimitsAndNoNetwork() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.milliCpus()).isEqualTo(1000);
        assertThat(settings.memoryBytes()).isEqualTo(256L << 20);
        assertThat(settings.pids()).isEqualTo(128);
        assertThat(settings.tmpfsBytes()).isEqualTo(64L << 20);
        assertThat(settings.network()).isEqualTo(NetworkMode.None);
    }

    @Test
    void specWithOnlyAnImageGetsDefaultExecutionLimits() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.defaultTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.maxTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.maxOutputBytes()).isEqualTo(1L << 20);
    }

    @Test
    void specWithOnlyAnImageGetsDefaultLeaseTimes() {
        PoolSettings settings = validate(spec -> {
        });

        assertThat(settings.leaseDefaultTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.leaseMaxTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void missingSectionsTakeTheirDefaults() {
        PoolSettings settings = validate(spec -> {
            spec.setReuse(null);
            spec.setHealthProbe(null);
            spec.setResources(null);
            spec.setExecution(null);
            spec.setLease(null);
        });

        assertThat(settings).isEqualTo(validate(spec -> {
        }));
    }

    @Test
    void trimsSpacesAroundTheImage() {
        PoolSettings settings = validate(spec -> spec.setImage("  " + IMAGE + " \n"));

        assertThat(settings.image()).isEqualTo(IMAGE);
    }

    @Test
    void acceptsMinSizeZeroAndMinSizeEqualToMaxSize() {
        assertThat(validate(spec -> spec.setMinSize(0)).minSize()).isZero();
        assertThat(validate(spec -> {
            spec.setMinSize(3);
            spec.setMaxSize(3);
        }).maxSize()).isEqualTo(3);
    }

    @Test
    void readsUnitsOfEveryField() {
        PoolSettings settings = validate(spec -> {
            spec.setMaxAge("1h30m");
            spec.setIdleTimeout("90s");
            spec.getHealthProbe().setPeriod("1.5s");
            spec.getHealthProbe().setTimeout("500ms");
            spec.getResources().setCpu("250m");
            spec.getResources().setMemory("1Gi");
            spec.getResources().setTmpfsSize("2M");
            spec.getExecution().setDefaultTimeout("2m");
            spec.getExecution().setMaxTimeout("1h");
            spec.getLease().setDefaultTtl("5m");
            spec.getLease().setMaxTtl("2h");
            spec.getLease().setAcquireTimeout("2.5s");
        });

        assertThat(settings.maxAge()).isEqualTo(Duration.ofMinutes(90));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.probePeriod()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.probeTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.milliCpus()).isEqualTo(250);
        assertThat(settings.memoryBytes()).isEqualTo(1L << 30);
        assertThat(settings.tmpfsBytes()).isEqualTo(2_000_000);
        assertThat(settings.defaultTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.maxTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.leaseDefaultTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.leaseMaxTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "python", "python-3-12", "0pool", "pool0"})
    void acceptsDnsLabelAsPoolName(String name) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);

        assertThat(PoolSpecValidator.validate(name, spec).name()).isEqualTo(name);
    }

    @Test
    void acceptsPoolNameOfSixtyThreeCharacters() {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);
        String name = "p".repeat(63);

        assertThat(PoolSpecValidator.validate(name, spec).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Python", "-python", "python-", "py_thon", "py.thon", "py thon", "pythön"})
    void rejectsPoolNameThatIsNotADnsLabel(String name) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);

        InvalidSpecException e = rejected(name, spec);

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("metadata.name");
            assertThat(error.reason()).startsWith("must be a DNS-1123 label");
        });
    }

    @Test
    void rejectsPoolNameLongerThanSixtyThreeCharacters() {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);

        InvalidSpecException e = rejected("p".repeat(64), spec);

        assertThat(e.errors()).extracting(FieldError::field).containsExactly("metadata.name");
    }

    @Test
    void rejectsMissingSpecForWantOfAnImage() {
        InvalidSpecException e = rejected("python", null);

        assertThat(e.errors()).containsExactly(new FieldError("spec.image", "is required"));
    }

    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                invalid("missing image", s -> s.setImage(null), "spec.image", "is required"),
                invalid("empty image", s -> s.setImage(""), "spec.image", "is required"),
                invalid("blank image", s -> s.setImage("  "), "spec.image", "is required"),
                invalid("negative minSize", s -> s.setMinSize(-1), "spec.minSize", "must not be negative, got -1"),
                invalid("maxSize 0", s -> {
                    s.setMinSize(0);
                    s.setMaxSize(0);
                }, "spec.maxSize", "must be at least 1, got 0"),
                invalid("minSize above maxSize", s -> {
                    s.setMinSize(6);
                    s.setMaxSize(5);
                }, "spec.minSize", "must not be greater than spec.maxSize (6 > 5)"),
                invalid("maxAge in words", s -> s.setMaxAge("10 minutes"), "spec.maxAge",
                        "must be a duration such as 500ms, 30s, 5m or 1h30m, got \"10 minutes\""),
                invalid("maxAge not a duration", s -> s.setMaxAge("abc"), "spec.maxAge",
                        "must be a duration such as 500ms, 30s, 5m or 1h30m, got \"abc\""),
                invalid("maxAge without unit", s -> s.setMaxAge("30"), "spec.maxAge", "must be a duration"),
                invalid("maxAge in days", s -> s.setMaxAge("1d"), "spec.maxAge", "must be a duration"),
                invalid("maxAge empty", s -> s.setMaxAge(""), "spec.maxAge", "must be a duration"),
                invalid("maxAge missing", s -> s.setMaxAge(null), "spec.maxAge",
                        "must be a duration such as 500ms, 30s, 5m or 1h30m, got nothing"),
                invalid("maxAge zero", s -> s.setMaxAge("0s"), "spec.maxAge", "must be longer than zero, got \"0s\""),
                invalid("maxAge negative", s -> s.setMaxAge("-5m"), "spec.maxAge", "must be a duration"),
                invalid("idleTimeout not a duration", s -> s.setIdleTimeout("5 min"), "spec.idleTimeout",
                        "must be a duration such as 500ms, 30s, 5m or 1h30m, got \"5 min\""),
                invalid("reuse policy missing", s -> s.getReuse().setPolicy(null), "spec.reuse.policy",
                        "must be Recycle or SingleUse"),
                invalid("maxUses 0", s -> s.getReuse().setMaxUses(0), "spec.reuse.maxUses",
                        "must be at least 1, got 0"),
                invalid("probe command empty", s -> s.getHealthProbe().setCommand(List.of()),
                        "spec.healthProbe.command", "must be a non-empty list of arguments"),
                invalid("probe command missing", s -> s.getHealthProbe().setCommand(null),
                        "spec.healthProbe.command", "must be a non-empty list of arguments"),
                invalid("probe command with a null argument",
                        s -> s.getHealthProbe().setCommand(Arrays.asList("python3", null)),
                        "spec.healthProbe.command", "must be a non-empty list of arguments"),
                invalid("probe expectOutput empty", s -> s.getHealthProbe().setExpectOutput(""),
                        "spec.healthProbe.expectOutput", "must not be empty"),
                invalid("probe expectOutput missing", s -> s.getHealthProbe().setExpectOutput(null),
                        "spec.healthProbe.expectOutput", "must not be empty"),
                invalid("probe period below 1s", s -> s.getHealthProbe().setPeriod("500ms"),
                        "spec.healthProbe.period", "must be at least 1s, got \"500ms\""),
                invalid("probe period zero", s -> s.getHealthProbe().setPeriod("0s"), "spec.healthProbe.period",
                        "must be longer than zero, got \"0s\""),
                invalid("probe period not a duration", s -> s.getHealthProbe().setPeriod("often"),
                        "spec.healthProbe.period", "must be a duration"),
                invalid("probe timeout zero", s -> s.getHealthProbe().setTimeout("0ms"), "spec.healthProbe.timeout",
                        "must be longer than zero, got \"0ms\""),
                invalid("probe failureThreshold 0", s -> s.getHealthProbe().setFailureThreshold(0),
                        "spec.healthProbe.failureThreshold", "must be at least 1, got 0"),
                invalid("cpu not a quantity", s -> s.getResources().setCpu("one"), "spec.resources.cpu",
                        "must be a positive CPU quantity such as 500m or 1, got \"one\""),
                invalid("cpu zero", s -> s.getResources().setCpu("0"), "spec.resources.cpu",
                        "must be a positive CPU quantity"),
                invalid("cpu zero millis", s -> s.getResources().setCpu("0m"), "spec.resources.cpu",
                        "must be a positive CPU quantity"),
                invalid("cpu negative", s -> s.getResources().setCpu("-1"), "spec.resources.cpu",
                        "must be a positive CPU quantity"),
                invalid("cpu missing", s -> s.getResources().setCpu(null), "spec.resources.cpu",
                        "must be a positive CPU quantity such as 500m or 1, got nothing"),
                invalid("memory not a quantity", s -> s.getResources().setMemory("256MB"), "spec.resources.memory",
                        "must be a memory quantity such as 256Mi or 1Gi, got \"256MB\""),
                invalid("memory fractional", s -> s.getResources().setMemory("0.5Gi"), "spec.resources.memory",
                        "must be a memory quantity"),
                invalid("memory below 16Mi", s -> s.getResources().setMemory("15Mi"), "spec.resources.memory",
                        "must be at least 16Mi, got \"15Mi\""),
                invalid("pids below 8", s -> s.getResources().setPids(7), "spec.resources.pids",
                        "must be at least 8 (the runner and Python need a few), got 7"),
                invalid("tmpfsSize below 1Mi", s -> s.getResources().setTmpfsSize("512Ki"),
                        "spec.resources.tmpfsSize", "must be at least 1Mi, got \"512Ki\""),
                invalid("tmpfsSize not a quantity", s -> s.getResources().setTmpfsSize("big"),
                        "spec.resources.tmpfsSize", "must be a memory quantity"),
                invalid("defaultTimeout above maxTimeout", s -> {
                    s.getExecution().setDefaultTimeout("2m");
                    s.getExecution().setMaxTimeout("60s");
                }, "spec.execution.defaultTimeout",
                        "must not be longer than spec.execution.maxTimeout (2m > 60s)"),
                invalid("defaultTimeout zero", s -> s.getExecution().setDefaultTimeout("0s"),
                        "spec.execution.defaultTimeout", "must be longer than zero"),
                invalid("maxTimeout not a duration", s -> s.getExecution().setMaxTimeout("1 minute"),
                        "spec.execution.maxTimeout", "must be a duration"),
                invalid("maxOutputBytes 0", s -> s.getExecution().setMaxOutputBytes(0),
                        "spec.execution.maxOutputBytes", "must be at least 1, got 0"),
                invalid("network missing", s -> s.setNetwork(null), "spec.network", "must be None or Allowed"),
                invalid("lease defaultTtl above maxTtl", s -> {
                    s.getLease().setDefaultTtl("15m");
                    s.getLease().setMaxTtl("10m");
                }, "spec.lease.defaultTtl", "must not be longer than spec.lease.maxTtl (15m > 10m)"),
                invalid("lease defaultTtl zero", s -> s.getLease().setDefaultTtl("0s"), "spec.lease.defaultTtl",
                        "must be longer than zero, got \"0s\""),
                invalid("lease maxTtl not a duration", s -> s.getLease().setMaxTtl("forever"), "spec.lease.maxTtl",
                        "must be a duration such as 500ms, 30s, 5m or 1h30m, got \"forever\""),
                invalid("lease acquireTimeout not a duration", s -> s.getLease().setAcquireTimeout("30"),
                        "spec.lease.acquireTimeout", "must be a duration"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpecs")
    void rejectsInvalidFieldNamingFieldAndReason(Consumer<SandboxPoolSpec> breakIt, String field, String reason) {
        InvalidSpecException e = rejected(breakIt);

        assertThat(e.pool()).isEqualTo("python");
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.reason()).startsWith(reason);
        });
        assertThat(e).hasMessageContaining(field + ": " + reason);
    }

    @Test
    void rejectsCpuQuantityTooLargeToCountAsAFieldError() {
        InvalidSpecException e = rejected(spec -> spec.getResources().setCpu("99999999999999999999m"));

        assertThat(e.errors()).extracting(FieldError::field).containsExactly("spec.resources.cpu");
    }

    @Test
    void reportsEveryErrorAtOnce() {
        InvalidSpecException e = rejected(spec -> {
            spec.setImage(null);
            spec.setMinSize(-1);
            spec.setMaxAge("10 minutes");
            spec.getHealthProbe().setFailureThreshold(0);
            spec.getResources().setCpu("lots");
            spec.getExecution().setMaxOutputBytes(0);
            spec.setNetwork(null);
        });

        assertThat(e.errors()).extracting(FieldError::field).containsExactlyInAnyOrder("spec.image",
                "spec.minSize", "spec.maxAge", "spec.healthProbe.failureThreshold", "spec.resources.cpu",
                "spec.execution.maxOutputBytes", "spec.network");
        assertThat(e).hasMessageStartingWith("SandboxPool python is invalid: ")
                .hasMessageContaining("spec.image: is required")
                .hasMessageContaining("spec.maxAge: must be a duration")
                .hasMessageContaining("spec.network: must be None or Allowed");
    }

    @Test
    void reportsBothSizeErrorsWhenMaxSizeIsZeroBelowMinSize() {
        InvalidSpecException e = rejected(spec -> spec.setMaxSize(0));

        assertThat(e.errors()).containsExactly(
                new FieldError("spec.maxSize", "must be at least 1, got 0"),
                new FieldError("spec.minSize", "must not be greater than spec.maxSize (2 > 0)"));
    }

    @Test
    void specHashIsStableForTheSameSpec() {
        assertThat(validate(spec -> {
        }).specHash()).isEqualTo(validate(spec -> {
        }).specHash()).hasSize(10).matches("[0-9a-f]+");
    }

    static Stream<Arguments> memberShapingChanges() {
        return Stream.of(
                change("image", s -> s.setImage("sandboxpool/python:3.11")),
                change("cpu", s -> s.getResources().setCpu("500m")),
                change("memory", s -> s.getResources().setMemory("512Mi")),
                change("pids", s -> s.getResources().setPids(64)),
                change("tmpfsSize", s -> s.getResources().setTmpfsSize("128Mi")),
                change("network", s -> s.setNetwork(NetworkMode.Allowed)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memberShapingChanges")
    void specHashChangesWithWhatShapesAMember(Consumer<SandboxPoolSpec> change) {
        String before = validate(spec -> {
        }).specHash();

        assertThat(validate(change).specHash()).isNotEqualTo(before);
    }

    static Stream<Arguments> changesThatKeepMembers() {
        return Stream.of(
                change("sizes", s -> {
                    s.setMinSize(0);
                    s.setMaxSize(20);
                }),
                change("maxAge", s -> s.setMaxAge("2h")),
                change("idleTimeout", s -> s.setIdleTimeout("1m")),
                change("reuse", s -> {
                    s.getReuse().setPolicy(ReusePolicy.SingleUse);
                    s.getReuse().setMaxUses(1);
                }),
                change("probe", s -> {
                    s.getHealthProbe().setCommand(new ArrayList<>(List.of("python3", "-c", "print('UP')")));
                    s.getHealthProbe().setExpectOutput("UP");
                    s.getHealthProbe().setPeriod("5s");
                    s.getHealthProbe().setTimeout("1s");
                    s.getHealthProbe().setFailureThreshold(3);
                }),
                change("execution", s -> {
                    s.getExecution().setDefaultTimeout("5s");
                    s.getExecution().setMaxTimeout("5m");
                    s.getExecution().setMaxOutputBytes(4096);
                }),
                change("lease", s -> {
                    s.getLease().setDefaultTtl("5m");
                    s.getLease().setMaxTtl("1h");
                    s.getLease().setAcquireTimeout("5s");
                }),
                change("spaces around the image", s -> s.setImage(" " + IMAGE + " ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesThatKeepMembers")
    void specHashIgnoresWhatDoesNotShapeAMember(Consumer<SandboxPoolSpec> change) {
        String before = validate(spec -> {
        }).specHash();

        assertThat(validate(change).specHash()).isEqualTo(before);
    }

    @Test
    void readsSandboxPoolYamlFillingInWhatItLeavesOut() {
        String yaml = """
                apiVersion: sandboxpool.dev/v1alpha1
                kind: SandboxPool
                metadata:
                  name: data-science
                spec:
                  image: sandboxpool/python:latest
                  maxSize: 8
                  healthProbe:
                    period: 10s
                  resources:
                    memory: 512Mi
                  network: Allowed
                """;

        SandboxPool pool = Serialization.unmarshal(yaml, SandboxPool.class);
        PoolSettings settings = PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec());

        assertThat(settings.name()).isEqualTo("data-science");
        assertThat(settings.maxSize()).isEqualTo(8);
        assertThat(settings.probePeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.memoryBytes()).isEqualTo(512L << 20);
        assertThat(settings.network()).isEqualTo(NetworkMode.Allowed);
        assertThat(settings.minSize()).isEqualTo(2);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.probeCommand()).containsExactly("python3", "-c", "print('HEALTH_OK')");
        assertThat(settings.probeExpectOutput()).isEqualTo("HEALTH_OK");
        assertThat(settings.probeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.milliCpus()).isEqualTo(1000);
        assertThat(settings.pids()).isEqualTo(128);
        assertThat(settings.reusePolicy()).isEqualTo(ReusePolicy.Recycle);
        assertThat(settings.defaultTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.leaseMaxTtl()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void readsSandboxPoolYamlWithOnlyAnImageAsTheDefaults() {
        String yaml = """
                apiVersion: sandboxpool.dev/v1alpha1
                kind: SandboxPool
                metadata:
                  name: python
                spec:
                  image: sandboxpool/python:latest
                """;

        SandboxPool pool = Serialization.unmarshal(yaml, SandboxPool.class);

        assertThat(pool.getApiVersion()).isEqualTo("sandboxpool.dev/v1alpha1");
        assertThat(pool.getKind()).isEqualTo("SandboxPool");
        assertThat(PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec()))
                .isEqualTo(validate(spec -> {
                }));
    }

    @Test
    void rejectsSandboxPoolYamlWithInvalidFields() {
        String yaml = """
                apiVersion: sandboxpool.dev/v1alpha1
                kind: SandboxPool
                metadata:
                  name: python
                spec:
                  image: sandboxpool/python:latest
                  minSize: 9
                  idleTimeout: 10 minutes
                """;

        SandboxPool pool = Serialization.unmarshal(yaml, SandboxPool.class);
        InvalidSpecException e = rejected(pool.getMetadata().getName(), pool.getSpec());

        assertThat(e.errors()).extracting(FieldError::field).containsExactly("spec.minSize", "spec.idleTimeout");
    }

    private static Arguments invalid(String what, Consumer<SandboxPoolSpec> breakIt, String field, String reason) {
        return Arguments.of(Named.of(what, breakIt), field, reason);
    }

    private static Arguments change(String what, Consumer<SandboxPoolSpec> change) {
        return Arguments.of(Named.of(what, change));
    }

    private static PoolSettings validate(Consumer<SandboxPoolSpec> customize) {
        return PoolSpecValidator.validate("python", spec(customize));
    }

    private static InvalidSpecException rejected(Consumer<SandboxPoolSpec> customize) {
        return rejected("python", spec(customize));
    }

    private static InvalidSpecException rejected(String name, SandboxPoolSpec spec) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> PoolSpecValidator.validate(name, spec));
        assertThat(e).as("the InvalidSpecException of pool %s", name).isNotNull();
        return e;
    }

    private static SandboxPoolSpec spec(Consumer<SandboxPoolSpec> customize) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);
        customize.accept(spec);
        return spec;
    }
}
