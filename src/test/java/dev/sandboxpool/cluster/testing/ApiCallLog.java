package dev.sandboxpool.cluster.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Every (verb, resource, subresource) the product's code sent to a mock API server in this test run, as RBAC names
 * them ({@code list pods}, {@code patch sandboxpools/status}, {@code get pods/exec}), after the process that sent it
 * ({@code api update pods}, {@code operator create pods}). Written to {@code target/k8s-api-calls.txt}, one per
 * line, for the Helm chart's RBAC test, which checks each process's calls against its own ServiceAccount's rules.
 */
public final class ApiCallLog {
    public static final Path FILE = Path.of("target", "k8s-api-calls.txt");
    private static final Set<String> CALLS = new ConcurrentSkipListSet<>();

    private ApiCallLog() {
    }

    static void record(String process, String method, String pathAndQuery) {
        String call = rbac(method, pathAndQuery);
        if (call != null) {
            CALLS.add(process + " " + call);
        }
    }

    static synchronized void write() {
        try {
            Files.createDirectories(FILE.getParent());
            Files.write(FILE, new TreeSet<>(CALLS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code verb resource[/subresource]}, or null for paths that are not resources (discovery, version). */
    static String rbac(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        String[] parts = uri.getPath().replaceAll("^/+", "").split("/");
        // api/v1/... or apis/group/version/...
        int start = parts[0].equals("api") ? 2 : parts[0].equals("apis") ? 3 : -1;
        if (start < 0 || parts.length <= start) {
            return null;
        }
        int i = start;
        if (parts[i].equals("namespaces") && parts.length > i + 2) {
            i += 2;
        }
        String resource = parts[i];
        boolean named = parts.length > i + 1;
        String sub = parts.length > i + 2 ? "/" + parts[i + 2] : "";
        String verb = switch (method) {
            case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        return verb + " " + resource + sub;
    }
}
