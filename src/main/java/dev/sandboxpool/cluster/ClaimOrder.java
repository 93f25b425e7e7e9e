package dev.sandboxpool.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The order in which a lease API replica tries idle pods: by rendezvous hashing of (replica, pod). Replicas that all
 * tried the same pod first (the newest) raced for it on every claim, and all but one lost a compare-and-set and went
 * on to the next; with a hashed order each replica starts from a pod of its own. One replica's order stays the same
 * as pods come and go, so it keeps reusing the same few and the others stay idle long enough for the idle timeout
 * to retire them, as the newest-first order did.
 */
final class ClaimOrder {
    private ClaimOrder() {
    }

    static List<String> of(String replica, List<String> pods) {
        return pods.stream().sorted(comparator(replica, s -> s)).toList();
    }

    static <T> Comparator<T> comparator(String replica, Function<T, String> podName) {
        return Comparator.comparingLong((T t) -> weight(replica, podName.apply(t))).reversed();
    }

    /** A well-mixed 64-bit hash of the pair (SplitMix64's finaliser over a polynomial hash). */
    static long weight(String replica, String pod) {
        long h = 1125899906842597L;
        for (char c : replica.toCharArray()) {
            h = 31 * h + c;
        }
        h = 31 * h; // separator: ("ab", "c") and ("a", "bc") differ
        for (char c : pod.toCharArray()) {
            h = 31 * h + c;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
