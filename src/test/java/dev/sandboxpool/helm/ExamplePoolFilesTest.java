package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.local.SpecFiles;
import dev.sandboxpool.spec.PoolSpecValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example pools of the install guide: valid SandboxPools, each starting with a comment on when to use it. */
class ExamplePoolFilesTest {
    private static final Path HIGH_THROUGHPUT = Path.of("examples/high-throughput-pool.yaml");
    private static final Path STRICT = Path.of("examples/strict-pool.yaml");

    private static SandboxPool parse(Path file) throws IOException {
        return Serialization.unmarshal(Files.readString(file), SandboxPool.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"examples/high-throughput-pool.yaml", "examples/strict-pool.yaml"})
    void isAValidSandboxPoolWithOnlyKnownFields(String file) throws IOException {
        Path path = Path.of(file);
        SandboxPool pool = parse(path);

        assertThat(pool.getApiVersion()).isEqualTo("sandboxpool.dev/v1alpha1");
        assertThat(pool.getKind()).isEqualTo("SandboxPool");
        assertThat(PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec())).isNotNull();
        // The strict reader of spec files rejects unknown fields, as the API server does.
        assertThat(SpecFiles.read(List.of(path))).singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getName()).isEqualTo(pool.getMetadata().getName()));
        assertThat(Files.readAllLines(path).get(0)).startsWith("# Use for ");
    }

    @Test
    void highThroughputPoolRecyclesALargeWarmPool() throws IOException {
        SandboxPool pool = parse(HIGH_THROUGHPUT);

        assertThat(pool.getSpec().getReuse().getPolicy()).isEqualTo(ReusePolicy.Recycle);
        assertThat(pool.getSpec().getMinSize()).isEqualTo(8);
        assertThat(pool.getSpec().getMaxSize()).isEqualTo(32);
    }

    @Test
    void strictPoolUsesEveryMemberOnceWithoutNetworkUnderGvisor() throws IOException {
        SandboxPool pool = parse(STRICT);

        assertThat(pool.getSpec().getReuse().getPolicy()).isEqualTo(ReusePolicy.SingleUse);
        assertThat(pool.getSpec().getNetwork()).isEqualTo(NetworkMode.None);
        assertThat(pool.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
    }
}
