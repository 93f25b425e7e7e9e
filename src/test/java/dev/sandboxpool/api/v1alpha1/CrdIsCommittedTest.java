package dev.sandboxpool.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD generated from the Java types at build time must be the one committed in {@code crds/}: a change to the
 * types that is not regenerated and committed fails here.
 */
class CrdIsCommittedTest {
    private static final String FILE = "sandboxpools.sandboxpool.dev-v1.yml";
    private static final String GENERATED = "META-INF/fabric8/" + FILE;
    private static final Path COMMITTED = Path.of("crds", FILE);
    /** What the committed CRD must be: the generated one with the printer columns in their declared order. */
    private static final Path EXPECTED = Path.of("target", FILE);
    private static final String REGENERATE = "crds/" + FILE + " is stale; regenerate it with: "
            + "mvn test -Dtest=CrdIsCommittedTest; cp " + EXPECTED + " crds/; cp " + EXPECTED
            + " helm/sandbox-pool/crds/";

    @Test
    void committedCrdIsTheGeneratedOne() throws IOException {
        assertThat(COMMITTED).as(REGENERATE).isRegularFile();

        String expected = PrinterColumnOrder.declared(generated());
        Files.writeString(EXPECTED, expected);
        assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8)).as(REGENERATE).isEqualTo(expected);
    }

    @Test
    void crdServesSandboxPoolOfGroupSandboxpoolDevAsV1alpha1() throws IOException {
        CustomResourceDefinition crd = crd();

        assertThat(crd.getMetadata().getName()).isEqualTo("sandboxpools.sandboxpool.dev");
        assertThat(crd.getSpec().getGroup()).isEqualTo("sandboxpool.dev");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("SandboxPool");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("sandboxpools");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("sbp");
        assertThat(crd.getSpec().getVersions()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("v1alpha1");
            assertThat(v.getServed()).isTrue();
            assertThat(v.getStorage()).isTrue();
        });
    }

    @Test
    void crdHasStatusAndScaleSubresources() throws IOException {
        CustomResourceDefinitionVersion version = version();

        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getSubresources().getScale()).isNotNull().satisfies(scale -> {
            assertThat(scale.getSpecReplicasPath()).isEqualTo(".spec.minSize");
            assertThat(scale.getStatusReplicasPath()).isEqualTo(".status.replicas");
            assertThat(scale.getLabelSelectorPath()).isEqualTo(".status.selector");
        });
    }

    @Test
    void crdShowsSizesMembersReadinessAndAgeInKubectlGet() throws IOException {
        CustomResourceDefinition committed = Serialization.unmarshal(Files.readString(COMMITTED),
                CustomResourceDefinition.class);
        // kubectl get prints them in this order
        assertThat(committed.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(c -> c.getName() + "=" + c.getJsonPath())
                .containsExactly(
                        "Min=.spec.minSize",
                        "Max=.spec.maxSize",
                        "Ready=.status.readyReplicas",
                        "Leased=.status.leasedReplicas",
                        "Status=.status.conditions[?(@.type==\"Ready\")].reason",
                        "Age=.metadata.creationTimestamp");
    }

    @Test
    void crdRequiresAnImage() throws IOException {
        assertThat(specSchema().getRequired()).containsExactly("image");
    }

    @Test
    void crdRejectsMinSizeAboveMaxSizeWithCelRule() throws IOException {
        assertThat(specSchema().getXKubernetesValidations())
                .extracting(ValidationRule::getRule, ValidationRule::getMessage, ValidationRule::getMessageExpression)
                .containsExactly(tuple("self.minSize <= self.maxSize", "minSize must not be greater than maxSize",
                        "'spec.minSize: must not be greater than spec.maxSize (%d > %d)'"
                                + ".format([self.minSize, self.maxSize])"));
    }

    @Test
    void crdBoundsSizesAndCounts() throws IOException {
        JSONSchemaProps spec = specSchema();

        assertThat(spec.getProperties().get("minSize").getMinimum()).isEqualTo(0.0);
        assertThat(spec.getProperties().get("maxSize").getMinimum()).isEqualTo(1.0);
        assertThat(spec.getProperties().get("reuse").getProperties().get("maxUses").getMinimum()).isEqualTo(1.0);
        assertThat(spec.getProperties().get("resources").getProperties().get("pids").getMinimum()).isEqualTo(8.0);
        assertThat(spec.getProperties().get("network").getEnum()).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("None", "Allowed");
    }

    @Test
    void crdDefaultsAreTheJavaDefaults() throws IOException {
        JSONSchemaProps spec = specSchema();
        SandboxPoolSpec java = new SandboxPoolSpec();

        assertThat(defaultOf(spec, "minSize")).isEqualTo(String.valueOf(java.getMinSize()));
        assertThat(defaultOf(spec, "maxSize")).isEqualTo(String.valueOf(java.getMaxSize()));
        assertThat(defaultOf(spec, "maxAge")).isEqualTo(java.getMaxAge());
        assertThat(defaultOf(spec, "idleTimeout")).isEqualTo(java.getIdleTimeout());
        assertThat(defaultOf(spec, "network")).isEqualTo(java.getNetwork().name());
        assertThat(defaultOf(spec, "reuse", "policy")).isEqualTo(java.getReuse().getPolicy().name());
        assertThat(defaultOf(spec, "reuse", "maxUses")).isEqualTo(String.valueOf(java.getReuse().getMaxUses()));
        assertThat(defaultOf(spec, "healthProbe", "expectOutput")).isEqualTo(java.getHealthProbe().getExpectOutput());
        assertThat(defaultOf(spec, "healthProbe", "period")).isEqualTo(java.getHealthProbe().getPeriod());
        assertThat(defaultOf(spec, "healthProbe", "timeout")).isEqualTo(java.getHealthProbe().getTimeout());
        assertThat(defaultOf(spec, "healthProbe", "failureThreshold"))
                .isEqualTo(String.valueOf(java.getHealthProbe().getFailureThreshold()));
        assertThat(defaultOf(spec, "resources", "cpu")).isEqualTo(java.getResources().getCpu());
        assertThat(defaultOf(spec, "resources", "memory")).isEqualTo(java.getResources().getMemory());
        assertThat(defaultOf(spec, "resources", "pids")).isEqualTo(String.valueOf(java.getResources().getPids()));
        assertThat(defaultOf(spec, "resources", "tmpfsSize")).isEqualTo(java.getResources().getTmpfsSize());
        assertThat(defaultOf(spec, "execution", "defaultTimeout"))
                .isEqualTo(java.getExecution().getDefaultTimeout());
        assertThat(defaultOf(spec, "execution", "maxTimeout")).isEqualTo(java.getExecution().getMaxTimeout());
        assertThat(defaultOf(spec, "execution", "maxOutputBytes"))
                .isEqualTo(String.valueOf(java.getExecution().getMaxOutputBytes()));
        assertThat(defaultOf(spec, "lease", "defaultTtl")).isEqualTo(java.getLease().getDefaultTtl());
        assertThat(defaultOf(spec, "lease", "maxTtl")).isEqualTo(java.getLease().getMaxTtl());
        assertThat(defaultOf(spec, "lease", "acquireTimeout")).isEqualTo(java.getLease().getAcquireTimeout());
    }

    @Test
    void everySpecFieldIsExplainedForKubectlExplain() throws IOException {
        assertThat(specSchema().getProperties()).allSatisfy((name, field) -> {
            assertThat(field.getDescription()).as("description of spec.%s", name).isNotBlank();
            if (field.getProperties() != null) {
                assertThat(field.getProperties()).allSatisfy((inner, innerField) -> assertThat(
                        innerField.getDescription()).as("description of spec.%s.%s", name, inner).isNotBlank());
            }
        });
    }

    private static String defaultOf(JSONSchemaProps schema, String... path) {
        JSONSchemaProps field = schema;
        for (String name : path) {
            field = field.getProperties().get(name);
        }
        assertThat(field.getDefault()).as("default of spec.%s", String.join(".", path)).isNotNull();
        return field.getDefault().asText();
    }

    private static JSONSchemaProps specSchema() throws IOException {
        return version().getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    private static CustomResourceDefinitionVersion version() throws IOException {
        return crd().getSpec().getVersions().get(0);
    }

    private static CustomResourceDefinition crd() throws IOException {
        return Serialization.unmarshal(generated(), CustomResourceDefinition.class);
    }

    private static String generated() throws IOException {
        try (InputStream in = CrdIsCommittedTest.class.getClassLoader().getResourceAsStream(GENERATED)) {
            assertThat(in).as("%s on the test class path: the crd-generator-maven-plugin writes it during "
                    + "process-classes", GENERATED).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
