package dev.sandboxpool.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static String pool(String name, String specLines) {
        return "apiVersion: sandboxpool.dev/v1alpha1\nkind: SandboxPool\nmetadata:\n  name: " + name
                + "\nspec:\n  image: img\n" + specLines;
    }

    @Test
    void readsEveryDocumentOfEveryYamlFileInADirectory() throws IOException {
        write("a.yaml", pool("one", "  minSize: 1\n") + "\n---\n" + pool("two", ""));
        write("b.yml", pool("three", "  reuse:\n    policy: SingleUse\n"));
        write("notes.txt", "not a spec");

        List<SandboxPool> pools = SpecFiles.read(List.of(dir));

        assertThat(pools).extracting(p -> p.getMetadata().getName()).containsExactly("one", "two", "three");
        assertThat(pools.get(0).getSpec().getMinSize()).isEqualTo(1);
        assertThat(pools.get(1).getSpec().getMinSize()).isEqualTo(2);
        assertThat(pools.get(2).getSpec().getReuse().getPolicy().name()).isEqualTo("SingleUse");
    }

    @Test
    void misspeltFieldIsAnErrorNamingFileAndField() throws IOException {
        Path f = write("typo.yaml", pool("typo", "  minsize: 3\n"));

        assertThatThrownBy(() -> SpecFiles.read(List.of(f)))
                .isInstanceOf(SpecFileException.class)
                .hasMessageContaining("typo.yaml").hasMessageContaining("unknown field spec.minsize");
    }

    @Test
    void wrongTypeIsAnErrorNamingTheField() throws IOException {
        Path f = write("type.yaml", pool("t", "  maxSize: many\n"));

        assertThatThrownBy(() -> SpecFiles.read(List.of(f)))
                .hasMessageContaining("type.yaml").hasMessageContaining("spec.maxSize");
    }

    @Test
    void otherKindsAndVersionsAreRejected() throws IOException {
        Path kind = write("kind.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        Path version = write("version.yaml", pool("v", "").replace("v1alpha1", "v9"));

        assertThatThrownBy(() -> SpecFiles.read(List.of(kind))).hasMessageContaining("kind must be SandboxPool");
        assertThatThrownBy(() -> SpecFiles.read(List.of(version)))
                .hasMessageContaining("apiVersion must be sandboxpool.dev/v1alpha1");
    }

    @Test
    void missingPathAndBrokenYamlAreErrors() throws IOException {
        Path broken = write("broken.yaml", "spec: [unclosed\n");

        assertThatThrownBy(() -> SpecFiles.read(List.of(dir.resolve("absent.yaml"))))
                .hasMessageContaining("no such file or directory");
        assertThatThrownBy(() -> SpecFiles.read(List.of(broken))).hasMessageContaining("not valid YAML");
    }
}
