package dev.sandboxpool.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRD generator sorts printer columns by their JSON path, whatever order the annotations have (Fabric8 7.5
 * keeps them in a TreeMap; fabric8io/kubernetes-client#7454), and kubectl prints them in the CRD's order. The
 * committed CRD is the generated one with the columns in the order {@link SandboxPool} declares them (MIN, MAX,
 * READY, LEASED, STATUS, AGE, as documented): this puts them so. It moves whole column entries of the generator's
 * YAML and changes nothing else, so the rest stays byte for byte what the generator wrote.
 */
final class PrinterColumnOrder {
    private static final Pattern COLUMNS = Pattern.compile("(?m)^(\\s*)- additionalPrinterColumns:\\n");
    private static final Pattern NAME = Pattern.compile("(?m)^\\s+name: \"([^\"]+)\"$");

    private PrinterColumnOrder() {
    }

    static String declared(String generatedYaml) {
        List<String> order = Arrays.stream(SandboxPool.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        Matcher m = COLUMNS.matcher(generatedYaml);
        if (!m.find()) {
            throw new IllegalArgumentException("no additionalPrinterColumns in the generated CRD");
        }
        String entryStart = m.group(1) + "  - ";
        String entryBody = m.group(1) + "    ";
        List<String> lines = generatedYaml.substring(m.end()).lines().toList();
        Map<String, String> entries = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        int used = 0;
        for (String line : lines) {
            if (line.startsWith(entryStart) || (line.startsWith(entryBody) && !current.isEmpty())) {
                if (line.startsWith(entryStart) && !current.isEmpty()) {
                    put(entries, current);
                    current = new ArrayList<>();
                }
                current.add(line);
                used++;
            } else {
                break;
            }
        }
        put(entries, current);
        if (!entries.keySet().stream().sorted().toList().equals(order.stream().sorted().toList())) {
            throw new IllegalArgumentException("generated columns " + entries.keySet() + ", declared " + order);
        }
        StringBuilder out = new StringBuilder(generatedYaml.substring(0, m.end()));
        order.forEach(name -> out.append(entries.get(name)));
        lines.subList(used, lines.size()).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    private static void put(Map<String, String> entries, List<String> entry) {
        String text = String.join("\n", entry) + "\n";
        Matcher name = NAME.matcher(text);
        if (!name.find()) {
            throw new IllegalArgumentException("a printer column without a name: " + text);
        }
        entries.put(name.group(1), text);
    }
}
