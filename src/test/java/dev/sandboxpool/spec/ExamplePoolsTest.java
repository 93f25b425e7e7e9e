package dev.sandboxpool.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example a user may copy is a valid SandboxPool. */
class ExamplePoolsTest {
    private static final Path EXAMPLES = Path.of("examples");

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void examplesExist() throws IOException {
        assertThat(examples()).contains(EXAMPLES.resolve("python-pool.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleIsAValidSandboxPool(Path example) throws IOException {
        SandboxPool pool = read(example);

        assertThat(pool.getApiVersion()).isEqualTo("sandboxpool.dev/v1alpha1");
        assertThat(pool.getKind()).isEqualTo("SandboxPool");
        assertThat(PoolSpecValidator.validate(pool.getMetadata().getName(), pool.getSpec()).name())
                .isEqualTo(pool.getMetadata().getName());
    }

    @Test
    void pythonExampleWritesOutTheDefaults() throws IOException {
        SandboxPool pool = read(EXAMPLES.resolve("python-pool.yaml"));
        SandboxPoolSpec onlyImage = new SandboxPoolSpec();
        onlyImage.setImage("sandboxpool/python:latest");

        assertThat(pool.getMetadata().getName()).isEqualTo("python");
        assertThat(PoolSpecValidator.validate("python", pool.getSpec()))
                .isEqualTo(PoolSpecValidator.validate("python", onlyImage));
    }

    private static SandboxPool read(Path example) throws IOException {
        return Serialization.unmarshal(Files.readString(example, StandardCharsets.UTF_8), SandboxPool.class);
    }
}
