package dev.sandboxpool.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads SandboxPool documents from YAML files, the same documents {@code kubectl apply} takes. Unknown fields are
 * errors (a misspelt {@code minsize} must not silently become the default), and every error names the file.
 */
public final class SpecFiles {
    private static final ObjectMapper YAML = new YAMLMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String API_VERSION = SandboxPool.GROUP + "/" + SandboxPool.VERSION;

    private SpecFiles() {
    }

    /** Every SandboxPool in the given files, and in the {@code .yaml}/{@code .yml} files of the given directories. */
    public static List<SandboxPool> read(List<Path> paths) {
        List<SandboxPool> pools = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    for (Path f : files.filter(SpecFiles::isYaml).sorted().toList()) {
                        pools.addAll(readFile(f));
                    }
                } catch (IOException e) {
                    throw new SpecFileException("cannot list " + path + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(path)) {
                pools.addAll(readFile(path));
            } else {
                throw new SpecFileException(path + ": no such file or directory");
            }
        }
        return pools;
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    static List<SandboxPool> readFile(Path file) {
        List<SandboxPool> pools = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(Files.newBufferedReader(file))) {
            int index = 0;
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                index++;
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                String where = file + " (document " + index + ")";
                if (!"SandboxPool".equals(doc.path("kind").asText())) {
                    throw new SpecFileException(where + ": kind must be SandboxPool, got "
                            + (doc.hasNonNull("kind") ? doc.get("kind").asText() : "nothing"));
                }
                if (!API_VERSION.equals(doc.path("apiVersion").asText())) {
                    throw new SpecFileException(where + ": apiVersion must be " + API_VERSION + ", got "
                            + (doc.hasNonNull("apiVersion") ? doc.get("apiVersion").asText() : "nothing"));
                }
                pools.add(convert(doc, where));
            }
        } catch (JsonProcessingException e) {
            throw new SpecFileException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SpecFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return pools;
    }

    private static SandboxPool convert(JsonNode doc, String where) {
        try {
            return YAML.treeToValue(doc, SandboxPool.class);
        } catch (UnrecognizedPropertyException e) {
            throw new SpecFileException(where + ": unknown field " + path(e) + " (known here: "
                    + e.getKnownPropertyIds() + ")", e);
        } catch (JsonProcessingException e) {
            throw new SpecFileException(where + ": " + path(e) + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }
        return "?";
    }
}
