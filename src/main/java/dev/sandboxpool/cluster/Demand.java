package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Callers waiting for a member, as lease API replicas publish them on the SandboxPool: one annotation per replica,
 * {@code waiting.sandboxpool.dev/<replica>: "<count> <time>"}. The operator sums the fresh ones and grows the pool
 * towards maxSize (or reports AtCapacity), as local mode does with its own waiting callers. A replica that dies
 * leaves a stale entry, which ages out after {@link #FRESH_FOR}.
 */
public final class Demand {
    public static final String PREFIX = "waiting.sandboxpool.dev/";
    /** How long an entry counts without being refreshed; writers refresh well within it. */
    public static final Duration FRESH_FOR = Duration.ofSeconds(30);
    private static final Pattern VALUE = Pattern.compile("([0-9]{1,6}) (\\S+)");

    private Demand() {
    }

    /** The annotation key of one replica: its identity cut to what an annotation name allows. */
    public static String key(String replica) {
        String name = replica.replaceAll("[^A-Za-z0-9._-]", "-");
        name = name.length() > 63 ? name.substring(name.length() - 63) : name;
        return PREFIX + name.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    public static String value(int waiting, Instant at) {
        return waiting + " " + at;
    }

    /** Callers waiting for this pool across all replicas, counting only entries refreshed recently. */
    public static int waiting(SandboxPool pool, Instant now) {
        return waiting(pool, key -> true, now);
    }

    /** Callers waiting for this pool through replicas other than {@code replica}, counting only fresh entries. */
    public static int waitingBesides(SandboxPool pool, String replica, Instant now) {
        String own = key(replica);
        return waiting(pool, key -> !key.equals(own), now);
    }

    private static int waiting(SandboxPool pool, Predicate<String> replicas, Instant now) {
        Map<String, String> annotations = pool.getMetadata().getAnnotations();
        if (annotations == null) {
            return 0;
        }
        return annotations.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX) && replicas.test(e.getKey()))
                .map(e -> parse(e.getValue()))
                .flatMap(Optional::stream)
                .filter(entry -> !entry.at().plus(FRESH_FOR).isBefore(now))
                .mapToInt(Entry::waiting)
                .sum();
    }

    /** Only the demand annotations, to tell a demand change from other metadata changes. */
    public static Map<String, String> annotations(SandboxPool pool) {
        Map<String, String> annotations = pool.getMetadata().getAnnotations();
        if (annotations == null) {
            return Map.of();
        }
        // a removed entry may linger as a null value in some API servers' merge patches: it is no demand
        return annotations.entrySet().stream().filter(e -> e.getKey().startsWith(PREFIX) && e.getValue() != null)
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private record Entry(int waiting, Instant at) {
    }

    private static Optional<Entry> parse(String value) {
        Matcher m = value == null ? null : VALUE.matcher(value);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(Integer.parseInt(m.group(1)), Instant.parse(m.group(2))));
        } catch (DateTimeParseException e) {
            // not written by a replica: it is no demand
            return Optional.empty();
        }
    }
}
