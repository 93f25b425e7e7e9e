package dev.sandboxpool.e2b;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The parts of a {@code multipart/form-data} body (RFC 7578), as the SDKs upload files: each part's field name, the
 * file name it carries (for an upload of several files, the path of each) and its bytes.
 */
final class Multipart {
    record Part(String name, String filename, byte[] content) {
    }

    private Multipart() {
    }

    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (!b.isEmpty() && b.length() <= 70) {
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("multipart/form-data without a valid boundary");
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("the body has no part");
        }
        at += delimiter.length;
        while (true) {
            if (at + 2 <= body.length && body[at] == '-' && body[at + 1] == '-') {
                return parts;
            }
            at = skipLine(body, at);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("a part's headers do not end");
            }
            String headers = new String(body, at, headersEnd - at, StandardCharsets.UTF_8);
            int start = headersEnd + 4;
            int end = indexOf(body, next, start);
            if (end < 0) {
                throw new IllegalArgumentException("a part does not end with the boundary");
            }
            String disposition = null;
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                    disposition = line.substring("content-disposition:".length());
                }
            }
            if (disposition == null) {
                throw new IllegalArgumentException("a part has no Content-Disposition");
            }
            parts.add(new Part(param(disposition, "name"), param(disposition, "filename"),
                    Arrays.copyOfRange(body, start, end)));
            at = end + next.length;
        }
    }

    private static int skipLine(byte[] body, int at) {
        int crlf = indexOf(body, new byte[] {'\r', '\n'}, at);
        if (crlf < 0) {
            throw new IllegalArgumentException("truncated multipart body");
        }
        return crlf + 2;
    }

    /** A parameter of a Content-Disposition value, quoted or not; null when absent. */
    static String param(String disposition, String name) {
        for (String piece : disposition.split(";")) {
            String p = piece.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1).replace("\\\"", "\"");
                }
                return v;
            }
        }
        return null;
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
