package dev.sandboxpool.pool;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Lease ids, the same rule in both modes: {@code <pool>.<token>}. The pool part is the name the pool registry finds
 * the pool by (local mode: its name; cluster: {@code <namespace>.<name>}, which stays unambiguous when another
 * namespace gets a pool of the same name), so the API finds a lease's pool from its id alone instead of asking every
 * pool, and a pool refuses an id that names another. The token is 128 random bits in lowercase hex: unguessable,
 * URL-safe, and a valid label value, so a cluster stores only the token on the pod (the whole id can exceed the
 * 63 characters a label value may have).
 */
public final class LeaseIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");

    private LeaseIds() {
    }

    public static String newToken() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    public static String of(String pool, String token) {
        return pool + "." + token;
    }

    /** The pool part of a well-formed id; empty for anything else. */
    public static Optional<String> pool(String id) {
        int dot = id.lastIndexOf('.');
        if (dot <= 0 || !TOKEN.matcher(id.substring(dot + 1)).matches()) {
            return Optional.empty();
        }
        return Optional.of(id.substring(0, dot));
    }

    /** The token of an id of {@code pool}; empty when the id is malformed or names another pool. */
    public static Optional<String> token(String id, String pool) {
        return pool(id).filter(pool::equals).map(p -> id.substring(p.length() + 1));
    }
}
