package dev.sandboxpool.http;

/**
 * Text from a request that a Java string can hold but the sandbox cannot take, and request keys as error messages
 * show them. JSON allows {@code "\ud800"}: a surrogate without its pair, which has no UTF-8 form, so encoding it
 * for the runner would silently turn it into {@code ?}.
 */
public final class RequestText {
    /** Longest key shown in a message, in characters; a longer one is cut (it can be 4 KiB). */
    private static final int SHOWN_KEY_CHARS = 64;

    private RequestText() {
    }

    /** Index of the first unpaired surrogate, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** A 400 for the field when the text holds an unpaired surrogate. */
    public static void requirePaired(String field, String text) {
        int at = unpairedSurrogate(text);
        if (at >= 0) {
            throw ApiException.badRequest(field, "contains an unpaired UTF-16 surrogate ("
                    + escaped(text.charAt(at)) + " at index " + at + "), which has no UTF-8 form");
        }
    }

    /**
     * {@code prefix.key}, the key with control characters and unpaired surrogates written as {@code \}{@code uXXXX}
     * and cut when long, so a message can always be encoded and read.
     */
    public static String field(String prefix, String key) {
        StringBuilder out = new StringBuilder(prefix).append('.');
        int shown = 0;
        for (int i = 0; i < key.length(); i++, shown++) {
            char c = key.charAt(i);
            if (shown == SHOWN_KEY_CHARS) {
                return out.append("...(").append(key.length()).append(" characters)").toString();
            }
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                out.append(c).append(key.charAt(++i));
            } else if (Character.isSurrogate(c) || Character.isISOControl(c)) {
                out.append(escaped(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String escaped(char c) {
        return String.format("\\u%04x", (int) c);
    }
}
