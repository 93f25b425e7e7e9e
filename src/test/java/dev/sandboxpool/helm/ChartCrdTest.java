package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** helm install applies helm/sandbox-pool/crds/; it must be the committed CRD generated from the Java types. */
class ChartCrdTest {
    private static final Path COMMITTED = Path.of("crds");
    private static final Path CHART = HelmChart.DIR.resolve("crds");

    @Test
    void chartCrdsAreByteIdenticalToTheCommittedOnes() throws IOException {
        assertThat(names(CHART)).isNotEmpty().containsExactlyInAnyOrderElementsOf(names(COMMITTED));
        for (String name : names(COMMITTED)) {
            assertThat(Files.readAllBytes(CHART.resolve(name)))
                    .as("%s differs from %s: copy crds/ into the chart", CHART.resolve(name), COMMITTED.resolve(name))
                    .isEqualTo(Files.readAllBytes(COMMITTED.resolve(name)));
        }
    }

    @Test
    void chartInstallsTheSandboxPoolCrd() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(CHART.resolve("sandboxpools.sandboxpool.dev-v1.yml")), CustomResourceDefinition.class);

        assertThat(crd.getMetadata().getName()).isEqualTo("sandboxpools.sandboxpool.dev");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("SandboxPool");
        assertThat(crd.getSpec().getVersions()).extracting(v -> v.getName()).contains("v1alpha1");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
