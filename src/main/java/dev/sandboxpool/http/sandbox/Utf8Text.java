package dev.sandboxpool.http.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Output bytes as text without splitting a character: a command's output arrives in chunks that may end inside a
 * multi-byte UTF-8 sequence, which decoded alone would become two replacement characters.
 */
final class Utf8Text {
    private Utf8Text() {
    }

    /** How many leading bytes of {@code b} end on a character boundary (all but an unfinished last sequence). */
    static int complete(byte[] b) {
        for (int back = 1; back <= Math.min(3, b.length); back++) {
            int c = b[b.length - back] & 0xff;
            if ((c & 0xc0) == 0x80) {
                continue; // a continuation byte: its lead is further back
            }
            int needed = c >= 0xf8 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            return needed > back ? b.length - back : b.length;
        }
        return b.length;
    }

    /** Decodes a stream chunk by chunk, keeping an unfinished character for the next one. */
    static final class Decoder {
        private byte[] pending = new byte[0];

        String next(byte[] chunk) {
            byte[] all = pending.length == 0 ? chunk : concat(pending, chunk);
            int n = complete(all);
            pending = Arrays.copyOfRange(all, n, all.length);
            return new String(all, 0, n, StandardCharsets.UTF_8);
        }

        /** What is left at the stream's end (an unfinished character is replaced). */
        String rest() {
            String s = new String(pending, StandardCharsets.UTF_8);
            pending = new byte[0];
            return s;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
