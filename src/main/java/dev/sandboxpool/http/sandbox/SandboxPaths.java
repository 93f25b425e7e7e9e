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

    /**
     * Longest path in a query parameter, in characters: percent-encoded (up to 12 bytes a character) it must still fit
     * in the 4 KiB request line, or the caller would get a 414 instead of this API's 400.
     */
    static final int MAX_QUERY_CHARS = 256;

    /** {@link #check} of a path given as a query parameter. */
    static String query(String field, String path) {
        if (path != null && path.codePointCount(0, path.length()) > MAX_QUERY_CHARS) {
            throw ApiException.badRequest(field, "is longer than " + MAX_QUERY_CHARS + " characters (a path in the"
                    + " URL must fit in its 4 KiB request line)");
        }
        return check(field, path);
    }

    /**
     * {@link #check}, and the path names an entry in a writable dir, not the dir itself: what a file is read from,
     * written to, made, moved or removed as. (Reading a writable dir as a file once failed the member.)
     */
    static String entry(String field, String path) {
        String checked = check(field, path);
        List<String> parts = parts(absolute(checked));
        if (SandboxScripts.WRITABLE_DIRS.stream().anyMatch(root -> parts(root).equals(parts))) {
            throw ApiException.badRequest(field, "is a writable dir itself, not an entry in it");
        }
        return checked;
    }

    /**
     * {@link #entry}, where a file or a directory can be made: /dev/mqueue holds POSIX message queues only (its file
     * system refuses anything else), so an upload, a new dir or a move there is a 400 before the sandbox is asked.
     */
    static String creatable(String field, String path) {
        String checked = entry(field, path);
        if (parts(absolute(checked)).subList(0, 2).equals(List.of("dev", "mqueue"))) {
            throw ApiException.badRequest(field, "is in /dev/mqueue, which holds message queues only: make files"
                    + " and dirs in /workspace, /tmp or /dev/shm");
        }
        return checked;
    }

    /** {@link #entry} of a path given as a query parameter. */
    static String queryEntry(String field, String path) {
        query(field, path);
        return entry(field, path);
    }

    /** {@link #creatable} of a path given as a query parameter. */
    static String queryCreatable(String field, String path) {
        query(field, path);
        return creatable(field, path);
    }

    private static String absolute(String path) {
        return path.startsWith("/") ? path : SandboxScripts.WORKDIR + "/" + path;
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
        List<String> parts = parts(absolute(path));
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
