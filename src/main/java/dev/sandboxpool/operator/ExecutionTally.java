package dev.sandboxpool.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code status.executions} of each pool: the executions counted on its members' pods
 * ({@code sandboxpool.dev/executions}, written by the lease API with each lease's release), those of members that
 * went away included. Members go away all the time (maxUses, maxAge, SingleUse), so a plain sum over live pods would
 * shrink: the count a pod had when it went away (the last state its informer's delete event carries) stays in the
 * total.
 *
 * <p>Held in memory, based at a pool's first reconcile in this process on the status already written: the total
 * starts there, and only what the live pods add from then on is added. Nothing written before is lost by an operator
 * restart or a leader hand-over, the members deleted meanwhile included (their counts were in the written status);
 * what pods counted after the last status write and before the new leader's first reconcile is not added. No field
 * beyond {@code status.executions} and no write beyond the status.
 */
final class ExecutionTally {
    private static final int REMEMBERED_GONE = 10_000;

    private final Map<ResourceID, Pool> pools = new ConcurrentHashMap<>();

    /** A member pod of {@code pool} went away, {@code lastCount} as its last known state said. */
    void gone(ResourceID pool, String pod, long lastCount) {
        Pool p = pools.get(pool);
        if (p != null) {
            p.gone(pod, lastCount);
        }
    }

    /**
     * The pool's total with its live members' counts as seen now.
     *
     * @param written {@code status.executions} as last written, the base at the pool's first reconcile here
     */
    long observe(ResourceID pool, long written, Map<String, Long> live) {
        return pools.computeIfAbsent(pool, id -> new Pool()).observe(written, live);
    }

    /** Keeps only the pools that still exist. */
    void retainOnly(Set<ResourceID> existing) {
        pools.keySet().retainAll(existing);
    }

    private static final class Pool {
        private boolean based;
        private long total;
        /** What each member's count had reached when it was last added to the total. */
        private final Map<String, Long> counted = new HashMap<>();
        /** Members already added for good: a reconcile that still read one from the cache adds nothing. */
        private final Set<String> departed = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED_GONE;
            }
        });

        synchronized long observe(long written, Map<String, Long> live) {
            if (!based) {
                based = true;
                // a status never written (or lost) cannot hide what the pods say
                total = Math.max(written, live.values().stream().mapToLong(Long::longValue).sum());
                counted.putAll(live);
                return total;
            }
            live.forEach((pod, count) -> {
                if (!departed.contains(pod)) {
                    add(pod, count);
                }
            });
            return total;
        }

        synchronized void gone(String pod, long lastCount) {
            if (based && departed.add(pod)) {
                add(pod, lastCount);
                counted.remove(pod);
            }
        }

        /** Counts only grow; a smaller one is an older view of the pod than the one already counted. */
        private void add(String pod, long count) {
            long before = counted.getOrDefault(pod, 0L);
            if (count > before) {
                total += count - before;
                counted.put(pod, count);
            }
        }
    }
}
