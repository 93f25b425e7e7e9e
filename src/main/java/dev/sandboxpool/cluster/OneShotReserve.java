package dev.sandboxpool.cluster;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseIds;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.pool.LeaseStore;
import dev.sandboxpool.pool.MemberSnapshot;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.Planner;
import dev.sandboxpool.pool.ReleaseDecision;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods this replica holds for its one-shots, leased to them in memory: a one-shot in a cluster then costs no
 * write of its pod (issue 15: a claim and a release, two writes through the API server, around a few milliseconds of
 * code).
 *
 * <p>A reservation is an ordinary lease on its pod under a token of this replica's own, claimed by compare-and-set
 * like any lease, so no other replica can take the pod, and the operator treats it as any lease: it reclaims it only
 * once it expired. Inside it, one one-shot at a time runs, and its runner cleans the sandbox in the same round trip
 * (kill, empty, verify) before the next one-shot is let in: the rule of a Recycle member in local mode. A one-shot
 * starts only in a reservation whose expiry covers its whole deadline (renewed first when it does not), so a pod is
 * never reclaimed under a running one-shot, even if every renewal after its start fails.
 *
 * <p>A pod goes back (one write, with the uses and executions run in it counted on it) as soon as:
 * <ul>
 *   <li>a one-shot left it not confirmed clean, or damaged it: then it is cleaned or retired as after any lease;</li>
 *   <li>it reached maxUses or maxAge, or the spec changed: retired;</li>
 *   <li>it was free for {@link #IDLE_RETURN}, or callers of any replica wait for a member and no one-shot of this
 *       replica does (callers of this replica wait for a lease, or another replica published its demand).</li>
 * </ul>
 *
 * <p>What a replica crash costs: its reservations' pods stay out of use until the reservations expire, at most
 * {@link #TERM} after the last renewal (longer only for a one-shot with a longer time limit), and the operator then
 * cleans and reuses them as after any expired lease. The one-shots running in them end with the replica.
 */
final class OneShotReserve {
    private static final Logger log = LoggerFactory.getLogger(OneShotReserve.class);
    /** How long a reservation lasts without renewal. */
    static final Duration TERM = Duration.ofSeconds(30);
    /** A reservation is renewed once less than this is left. */
    private static final Duration RENEW_WHEN_LEFT = Duration.ofSeconds(20);
    /** A reservation no one-shot used for this long goes back. */
    static final Duration IDLE_RETURN = Duration.ofSeconds(2);
    /** Room for clocks that disagree, between this replica's idea of an expiry and the operator's. */
    private static final Duration CLOCK_MARGIN = Duration.ofSeconds(5);

    /** What the store does with pods for the reserve: each call is a read and a write through the API server. */
    interface Pods {
        /** An idle pod claimed for the lease {@code token} until {@code ttl} from now; empty when none is idle. */
        Optional<Claimed> claim(String token, Duration ttl);

        /** @throws LeaseNotActiveException when the lease no longer holds its pod */
        Instant renew(String token, Duration ttl);

        /**
         * Ends the lease as a release does, with {@code moreUses} uses beyond the claim's own counted on the pod.
         *
         * @throws LeaseNotActiveException when the lease no longer holds its pod
         */
        void release(String token, boolean clean, boolean damaged, int moreUses);
    }

    /** A pod claimed for a reservation, as it was written. */
    record Claimed(String pod, Instant expiresAt, Instant createdAt, String specHash, int uses) {
    }

    /** One reserved pod. Guarded by the reserve's lock. */
    private static final class Reservation {
        final String token;
        final Claimed claimed;
        Instant expiresAt;
        /** One-shots run in it (the claim counted the first use on the pod). */
        int oneShots;
        /** The one-shot holding it, or null while it is free. */
        String running;
        Instant since;
        Instant freeSince;
        boolean damaged;
        /** Being renewed: a renewal is under way outside the lock. */
        boolean renewing;

        Reservation(String token, Claimed claimed, Instant now) {
            this.token = token;
            this.claimed = claimed;
            this.expiresAt = claimed.expiresAt();
            this.freeSince = now;
        }

        boolean covers(Instant deadline) {
            return !expiresAt.minus(CLOCK_MARGIN).isBefore(deadline);
        }
    }

    private final String pool;
    private final Pods pods;
    private final Clock clock;
    private final Executor handBacks;
    private final Supplier<PoolSettings> settings;
    private final Planner planner = new Planner(Duration.ZERO);
    /** Reservations by pod, oldest first: one-shots go to the same few pods. */
    private final Map<String, Reservation> byPod = new LinkedHashMap<>();
    private final Map<String, Reservation> byOneShot = new HashMap<>();
    private Runnable freed = () -> { };
    private boolean stopped;

    /**
     * @param handBacks runs the writes that give pods back, off the one-shot's path
     * @param settings the pool's spec as it is now
     */
    OneShotReserve(String pool, Pods pods, Clock clock, Executor handBacks, Supplier<PoolSettings> settings) {
        this.pool = pool;
        this.pods = pods;
        this.clock = clock;
        this.handBacks = handBacks;
        this.settings = settings;
    }

    /** Called when a reservation turns free: a waiting one-shot may be served. */
    void onFreed(Runnable freed) {
        this.freed = freed;
    }

    /** Whether the one-shot {@code oneShot} runs in a reserved pod. */
    synchronized boolean holds(String oneShot) {
        return byOneShot.containsKey(oneShot);
    }

    /** Reservations pay only where a pod serves more than one one-shot. */
    private boolean serves() {
        return settings.get().reusePolicy() == ReusePolicy.Recycle;
    }

    // ---- claims -------------------------------------------------------------------------------------------------

    /** A free reserved pod for the one-shot {@code oneShot}, memory alone; empty when none is free and covers it. */
    synchronized Optional<LeaseStore.Stored> take(String oneShot, Duration ttl) {
        Reservation held = byOneShot.get(oneShot);
        if (held != null) {
            return Optional.of(stored(held, ttl)); // an earlier claim for this token was applied: the same pod
        }
        if (stopped || !serves()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String hash = settings.get().specHash();
        for (Reservation r : byPod.values()) {
            if (r.running == null && !r.damaged && hash.equals(r.claimed.specHash()) && r.covers(now.plus(ttl))) {
                return Optional.of(assign(r, oneShot, ttl, now));
            }
        }
        return Optional.empty();
    }

    /**
     * On the dispatcher: {@link #take}, else a free reservation renewed to cover the one-shot, else a newly
     * reserved idle pod (one write each); empty when no pod is idle.
     *
     * @param claim the store's own claim, for a pool that keeps no reservations
     */
    Optional<LeaseStore.Stored> claim(String oneShot, Duration ttl, Supplier<Optional<LeaseStore.Stored>> claim) {
        if (!serves()) {
            return claim.get();
        }
        Optional<LeaseStore.Stored> taken = take(oneShot, ttl);
        if (taken.isPresent()) {
            return taken;
        }
        Reservation shortTerm = freeNotCovering(ttl);
        if (shortTerm != null && renew(shortTerm, ttl)) {
            taken = take(oneShot, ttl);
            if (taken.isPresent()) {
                return taken;
            }
        }
        String token = LeaseIds.newToken();
        Optional<Claimed> claimed = pods.claim(token, term(ttl));
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        synchronized (this) {
            Instant now = clock.instant();
            Reservation r = new Reservation(token, claimed.get(), now);
            byPod.put(claimed.get().pod(), r);
            if (stopped) {
                handBack(r, true);
                return Optional.empty();
            }
            log.debug("pool {}: reserved pod {} for this replica's one-shots", pool, claimed.get().pod());
            return Optional.of(assign(r, oneShot, ttl, now));
        }
    }

    /** Lock held: the free reservation {@code r} now holds the one-shot. */
    private LeaseStore.Stored assign(Reservation r, String oneShot, Duration ttl, Instant now) {
        r.running = oneShot;
        r.since = now;
        byOneShot.put(oneShot, r);
        return stored(r, ttl);
    }

    /** The reservation's term: {@link #TERM}, or longer for a one-shot that may outlast it. */
    private static Duration term(Duration ttl) {
        Duration needed = ttl.plus(CLOCK_MARGIN).plus(CLOCK_MARGIN);
        return needed.compareTo(TERM) > 0 ? needed : TERM;
    }

    private synchronized Reservation freeNotCovering(Duration ttl) {
        Instant deadline = clock.instant().plus(ttl);
        return byPod.values().stream().filter(r -> r.running == null && !r.damaged && !r.renewing
                && !r.covers(deadline)).findFirst().orElse(null);
    }

    private static LeaseStore.Stored stored(Reservation r, Duration ttl) {
        return new LeaseStore.Stored(r.claimed.pod(), r.since, r.since.plus(ttl));
    }

    /** A one-shot whose caller went before it had its lease: no code ran, the pod is free again. */
    void giveBack(String oneShot) {
        synchronized (this) {
            Reservation r = byOneShot.remove(oneShot);
            if (r == null) {
                return;
            }
            r.running = null;
            r.freeSince = clock.instant();
        }
        freed.run();
    }

    // ---- one one-shot -------------------------------------------------------------------------------------------

    /** The reserved pod and the reservation's token, for the one-shot's use of its runner. */
    record Held(String pod, String reservation, Instant since) {
    }

    /**
     * The one-shot's pod, checked against the reservation's expiry (which its claim made sure covers it).
     *
     * @throws LeaseNotActiveException when it holds none
     */
    synchronized Held use(String oneShot) {
        Reservation r = byOneShot.get(oneShot);
        if (r == null) {
            throw new LeaseNotActiveException(oneShot);
        }
        if (!r.expiresAt.isAfter(clock.instant())) {
            throw new LeaseExpiredException(oneShot, "its reservation expired");
        }
        return held(r);
    }

    private static Held held(Reservation r) {
        return new Held(r.claimed.pod(), r.token, r.since);
    }

    /** The one-shot's pod, if it holds one. */
    synchronized Optional<Held> heldBy(String oneShot) {
        return Optional.ofNullable(byOneShot.get(oneShot)).map(OneShotReserve::held);
    }

    /** An execution of the one-shot ran: counted on its reservation, whose token it returns (empty: none). */
    synchronized Optional<String> executed(String oneShot) {
        Reservation r = byOneShot.get(oneShot);
        if (r == null) {
            return Optional.empty();
        }
        r.oneShots++;
        return Optional.of(r.token);
    }

    synchronized void damaged(String oneShot) {
        Reservation r = byOneShot.get(oneShot);
        if (r != null) {
            r.damaged = true;
        }
    }

    /**
     * The one-shot ended: its pod is free for the next one when its runner confirmed it clean and the pool keeps it,
     * else it goes back (cleaned, or retired).
     *
     * @param waiting whether callers that this reserve cannot serve wait (a lease through this replica, or any caller
     *     of another): a free pod goes back to them
     * @throws LeaseNotActiveException when the one-shot holds no reserved pod
     */
    void release(String oneShot, boolean clean, boolean waiting) {
        boolean kept;
        synchronized (this) {
            Reservation r = byOneShot.remove(oneShot);
            if (r == null) {
                throw new LeaseNotActiveException(oneShot);
            }
            r.running = null;
            Instant now = clock.instant();
            r.freeSince = now;
            kept = clean && !stopped && !waiting && byPod.get(r.claimed.pod()) == r && keeps(r, now);
            if (!kept) {
                handBack(r, clean);
            }
        }
        if (kept) {
            freed.run();
        }
    }

    /** Whether the pool would recycle the pod now (uses, age, spec, damage), and its reservation is still good. */
    private boolean keeps(Reservation r, Instant now) {
        Claimed c = r.claimed;
        MemberSnapshot snapshot = new MemberSnapshot(c.pod(), MemberState.LEASED, c.specHash(), c.createdAt(), null,
                c.uses() + Math.max(0, r.oneShots - 1), null, 0, false);
        ReleaseDecision decision = planner.afterRelease(settings.get(), snapshot, r.damaged, now);
        return decision.recycle() && r.expiresAt.isAfter(now.plus(CLOCK_MARGIN));
    }

    /** Lock held: the reservation leaves the reserve at once; its pod's write follows on the hand-back executor. */
    private void handBack(Reservation r, boolean clean) {
        byPod.remove(r.claimed.pod(), r);
        int moreUses = Math.max(0, r.oneShots - 1);
        boolean damaged = r.damaged;
        try {
            handBacks.execute(() -> {
                try {
                    pods.release(r.token, clean && !damaged, damaged, moreUses);
                    log.debug("pool {}: pod {} back from this replica's one-shots after {} of them", pool,
                            r.claimed.pod(), r.oneShots);
                } catch (LeaseNotActiveException e) {
                    log.info("pool {}: the reservation of pod {} had ended before it went back: {}", pool,
                            r.claimed.pod(), e.getMessage());
                } catch (RuntimeException e) {
                    // the reservation expires, and the operator reclaims the pod as after any expired lease
                    log.warn("pool {}: cannot give pod {} back (it is reclaimed once its reservation expires): {}",
                            pool, r.claimed.pod(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("pool {}: stopping; pod {} is reclaimed once its reservation expires", pool, r.claimed.pod());
        }
    }

    // ---- upkeep -------------------------------------------------------------------------------------------------

    /**
     * Once a second, on the dispatcher: reservations near their expiry are renewed; free ones go back when idle too
     * long or made from an older spec, and one goes back when {@code waiting} (see {@link #release}).
     */
    void tick(boolean waiting) {
        Instant now = clock.instant();
        List<Reservation> renew = new ArrayList<>();
        synchronized (this) {
            String hash = settings.get().specHash();
            boolean oneForOthers = waiting; // one a tick: the share is counted again before the next goes
            for (Reservation r : List.copyOf(byPod.values())) {
                boolean free = r.running == null && !r.renewing;
                if (free && (oneForOthers || stopped || !hash.equals(r.claimed.specHash()) || !keeps(r, now)
                        || !r.freeSince.plus(IDLE_RETURN).isAfter(now))) {
                    oneForOthers = false;
                    handBack(r, true);
                } else if (!r.renewing && r.expiresAt.isBefore(now.plus(RENEW_WHEN_LEFT))) {
                    renew.add(r);
                }
            }
        }
        renew.forEach(r -> renew(r, TERM));
    }

    /** Renews a reservation to cover {@code ttl} from now (at least its term); false when it ended. */
    private boolean renew(Reservation r, Duration ttl) {
        synchronized (this) {
            if (r.renewing || byPod.get(r.claimed.pod()) != r) {
                return false;
            }
            r.renewing = true;
        }
        try {
            Instant expiresAt = pods.renew(r.token, term(ttl));
            synchronized (this) {
                r.expiresAt = expiresAt;
            }
            return true;
        } catch (LeaseNotActiveException e) {
            // reclaimed or gone: a one-shot running in it fails its release, and nothing starts in it again
            synchronized (this) {
                byPod.remove(r.claimed.pod(), r);
            }
            log.warn("pool {}: the reservation of pod {} ended: {}", pool, r.claimed.pod(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            // tried again on the next tick; its one-shots are covered by the expiry they started under
            log.warn("pool {}: cannot renew the reservation of pod {}: {}", pool, r.claimed.pod(), e.getMessage());
            return false;
        } finally {
            synchronized (this) {
                r.renewing = false;
            }
        }
    }

    /** Free reservations go back now, busy ones when their one-shot ends; nothing is reserved any more. */
    synchronized void stop() {
        stopped = true;
        returnFree();
    }

    /** The pods reserved now. */
    synchronized int size() {
        return byPod.size();
    }

    /** Free reservations go back now (a caller of this replica waits for a lease, and no pod is idle). */
    synchronized void returnFree() {
        for (Reservation r : List.copyOf(byPod.values())) {
            if (r.running == null && !r.renewing) {
                handBack(r, true);
            }
        }
    }
}
