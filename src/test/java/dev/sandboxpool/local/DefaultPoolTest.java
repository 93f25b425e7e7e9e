package dev.sandboxpool.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultPoolTest {

    private static PoolSettings fromEnv(Map<String, String> env) {
        var pool = DefaultPool.fromEnvironment(env);
        return PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec());
    }

    @Test
    void withoutOverridesIsThePythonPoolWithSpecDefaults() {
        PoolSettings s = fromEnv(Map.of());

        assertThat(s.name()).isEqualTo("python");
        assertThat(s.image()).isEqualTo("sandboxpool/python:latest");
        assertThat(s.minSize()).isEqualTo(2);
        assertThat(s.maxSize()).isEqualTo(5);
        assertThat(s.maxAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.reusePolicy()).isEqualTo(ReusePolicy.Recycle);
    }

    @Test
    void containerPoolSettingsOverrideTheDefaultPool() {
        PoolSettings s = fromEnv(Map.of("POOL_MIN_SIZE", "3", "POOL_MAX_SIZE", "8",
                "POOL_MAX_CONTAINER_AGE_MS", "600000", "SANDBOX_IMAGE", "registry.example/py:3.12"));

        assertThat(s.minSize()).isEqualTo(3);
        assertThat(s.maxSize()).isEqualTo(8);
        assertThat(s.maxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.image()).isEqualTo("registry.example/py:3.12");
    }

    @Test
    void disabledContainerPoolMeansAFreshContainerPerExecution() {
        PoolSettings s = fromEnv(Map.of("ENABLE_CONTAINER_POOL", "false"));

        assertThat(s.minSize()).isZero();
        assertThat(s.reusePolicy()).isEqualTo(ReusePolicy.SingleUse);
    }

    @Test
    void badOverridesNameTheVariable() {
        assertThatThrownBy(() -> fromEnv(Map.of("POOL_MIN_SIZE", "two")))
                .hasMessageContaining("POOL_MIN_SIZE").hasMessageContaining("two");
        assertThatThrownBy(() -> fromEnv(Map.of("ENABLE_CONTAINER_POOL", "nope")))
                .hasMessageContaining("ENABLE_CONTAINER_POOL");
        assertThatThrownBy(() -> fromEnv(Map.of("POOL_MIN_SIZE", "9")))
                .hasMessageContaining("spec.minSize").hasMessageContaining("9 > 5");
    }
}
