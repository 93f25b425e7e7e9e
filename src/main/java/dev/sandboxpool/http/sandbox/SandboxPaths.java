package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.execution.SandboxScripts;
import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.http.RequestText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path rule of the sandbox's file operations, checked before the sandbox is asked so a wrong path is a 400
 * naming the field without a round trip to the member: absolute or relative to the work dir, no {@code ..}
 * component, inside one of the writable dirs. The runner checks the same again, and resolves the rest where only it
 * can: it walks the path without following links, so a link the lease planted cannot lead out.
 */
final class SandboxPaths {
    /** Linux's PATH_MAX. */
    static final int MAX_BYTES = 4096;

    private SandboxPaths() {
    }

    /** The path as given, once it passes the rule; a 400 naming {@code field} otherwise. */
    static String check(String field, String path) {
        if (path == null || path.isEmpty()) {
            throw ApiException.badRequest(field, "is required: a path in the sandbox (absolute, or relative to "
                    + SandboxScripts.WORKDIR + ")");
        }
        if (path.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, "contains a NUL character, which a path cannot hold");
        }
        RequestText.requirePaired(field, path);
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.badRequest(field, "is longer than " + MAX_BYTES + " bytes");
        }
        List<String> parts = parts(path.startsWith("/") ? path : SandboxScripts.WORKDIR + "/" + path);
        if (parts.contains("..")) {
            throw ApiException.badRequest(field, "must not have \"..\" components");
        }
        for (String root : SandboxScripts.WRITABLE_DIRS) {
            List<String> rootParts = parts(root);
            if (parts.size() >= rootParts.size() && parts.subList(0, rootParts.size()).equals(rootParts)) {
                return path;
            }
        }
        throw ApiException.badRequest(field, "must be inside one of the sandbox's writable dirs: "
                + String.join(", ", SandboxScripts.WRITABLE_DIRS));
    }

    private static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return parts;
    }
}
