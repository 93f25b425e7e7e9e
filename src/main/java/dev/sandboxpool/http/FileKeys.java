package dev.sandboxpool.http;

import dev.sandboxpool.execution.SandboxScripts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of an execution's {@code files}: each must name a regular file the runner can create inside the work
 * dir, and no two may collide. Checked as text, not with {@link java.nio.file.Path}, which throws on a NUL or an
 * unpaired surrogate instead of answering, and which would apply this JVM's file system rules rather than Linux's.
 */
final class FileKeys {
    /** Linux's NAME_MAX: the longest component. */
    static final int MAX_NAME_BYTES = 255;
    /** Linux's PATH_MAX (4096 with the final NUL) less the work dir the runner puts in front. */
    static final int MAX_KEY_BYTES = 4096 - 1 - (SandboxScripts.WORKDIR + "/").length();

    private FileKeys() {
    }

    /** The files under their normalised keys ({@code ./a} as {@code a}), in the request's order; else a 400. */
    static Map<String, String> normalised(Map<String, String> files) {
        Map<String, String> byName = new LinkedHashMap<>();
        Map<String, String> keyOf = new LinkedHashMap<>();
        files.forEach((key, content) -> {
            String name = normalise(key);
            String earlier = keyOf.putIfAbsent(name, key);
            if (earlier != null) {
                throw ApiException.badRequest(RequestText.field("files", key), "names the same file as "
                        + RequestText.field("files", earlier));
            }
            byName.put(name, content);
        });
        requireNoFileInsideAFile(keyOf);
        return byName;
    }

    private static String normalise(String key) {
        String field = RequestText.field("files", key);
        if (key.isEmpty()) {
            throw ApiException.badRequest(field, "must not be empty");
        }
        if (key.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, "contains a NUL character, which no file name can hold");
        }
        RequestText.requirePaired(field, key);
        if (key.startsWith("/")) {
            throw ApiException.badRequest(field, "must be a relative path inside the work dir, not an absolute one");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw ApiException.badRequest(field, "is " + bytes + " bytes in UTF-8, longer than " + MAX_KEY_BYTES
                    + " bytes (behind " + SandboxScripts.WORKDIR + "/ it must fit in Linux's PATH_MAX, 4096)");
        }
        List<String> kept = new ArrayList<>();
        for (String component : key.split("/", -1)) {
            if (component.isEmpty()) {
                throw ApiException.badRequest(field, "has an empty component (\"//\" or a trailing \"/\")");
            }
            if (component.equals("..")) {
                throw ApiException.badRequest(field, "must be a relative path inside the work dir, without \"..\""
                        + " components");
            }
            if (component.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw ApiException.badRequest(field, "has a component longer than " + MAX_NAME_BYTES
                        + " bytes in UTF-8 (Linux's NAME_MAX)");
            }
            if (!component.equals(".")) {
                kept.add(component);
            }
        }
        if (kept.isEmpty()) {
            throw ApiException.badRequest(field, "must be a relative path inside the work dir naming a file, not"
                    + " the work dir itself");
        }
        return String.join("/", kept);
    }

    /**
     * {@code a} and {@code a/b} together would need {@code a} to be a file and a directory. Sorted component by
     * component, the names under {@code a} come right after {@code a}, so comparing neighbours finds every such pair
     * in n log n, however deep the paths.
     */
    private static void requireNoFileInsideAFile(Map<String, String> keyOf) {
        List<String> names = new ArrayList<>(keyOf.keySet());
        names.sort(FileKeys::byComponents);
        for (int i = 1; i < names.size(); i++) {
            String parent = names.get(i - 1);
            String name = names.get(i);
            if (name.startsWith(parent) && name.charAt(parent.length()) == '/') {
                throw ApiException.badRequest(RequestText.field("files", keyOf.get(name)), "is inside "
                        + RequestText.field("files", keyOf.get(parent)) + ", which is a file; a path cannot be both"
                        + " a file and a directory");
            }
        }
    }

    /** Order by components: {@code /} sorts before every other character, so {@code a/b} precedes {@code a-b}. */
    private static int byComponents(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return x == '/' ? -1 : y == '/' ? 1 : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
