package dev.sandboxpool.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders the chart as {@code helm template sandbox-pool helm/sandbox-pool -n sandbox-pool-system} would, with
 * helm-java (Helm's own template engine and schema check, no cluster), and parses the result with Fabric8.
 */
final class HelmChart {
    static final Path DIR = Path.of("helm/sandbox-pool");
    static final String RELEASE = "sandbox-pool";
    static final String NAMESPACE = "sandbox-pool-system";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private final Map<String, Object> sets = new LinkedHashMap<>();
    private String valuesYaml;

    private HelmChart() {
    }

    static HelmChart withDefaults() {
        return new HelmChart();
    }

    /** A {@code --set key=value} for a scalar (helm-java escapes Helm's list syntax, so lists go in {@link #values}). */
    HelmChart set(String key, Object value) {
        sets.put(key, value);
        return this;
    }

    /** A {@code --values} file with this content. */
    HelmChart values(String yaml) {
        valuesYaml = yaml;
        return this;
    }

    /** The rendered YAML; a failed render (schema, template) throws with Helm's message. */
    String yaml() {
        TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        sets.forEach(template::set);
        if (valuesYaml == null) {
            return template.call();
        }
        Path file = null;
        try {
            file = Files.createTempFile("sandbox-pool-values", ".yaml");
            Files.writeString(file, valuesYaml);
            return template.withValuesFile(file).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(file);
        }
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every rendered document (helm template leaves the CRDs of crds/ out), each parsed by Fabric8. */
    List<HasMetadata> render() {
        return parse(yaml());
    }

    /** The YAML documents that hold more than comments. */
    static List<String> documents(String yaml) {
        return Arrays.stream(DOCUMENT_SEPARATOR.split(yaml))
                .filter(doc -> doc.lines().anyMatch(line -> !line.isBlank() && !line.stripLeading().startsWith("#")))
                .toList();
    }

    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : documents(yaml)) {
            objects.add(Serialization.unmarshal(doc, HasMetadata.class));
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
        List<T> found = ofType(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
        }
        return found.get(0);
    }
}
