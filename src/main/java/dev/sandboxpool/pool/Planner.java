package dev.sandboxpool.pool;

import dev.sandboxpool.api.v1alpha1.ReusePolicy;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pool's rules as a pure function: spec, observed members, waiting callers and the clock in; actions out. It
 * has no I/O and keeps no state, so every rule is unit-tested with an injected clock.
 *
 * <p>Capacity counts every member the backend may hold, starting and terminating ones included, so bursts and
 * replacements never push the pool above maxSize.
 */
public final class Planner {
    /** How often a starting member is probed until it answers. */
    public static final Duration STARTUP_PROBE_INTERVAL = Duration.ofMillis(200);

    private final Duration startupTimeout;

    public Planner(Duration startupTimeout) {
        this.startupTimeout = startupTimeout;
    }

    /**
     * @param waiters callers waiting for a member
     * @param createNotBefore creation is backing off after start failures until then (null: no back-off)
     */
    public Plan plan(PoolSettings spec, List<MemberSnapshot> members, int waiters, Instant now,
            Instant createNotBefore) {
        Map<String, RetireReason> retire = new LinkedHashMap<>();
        List<String> probe = new ArrayList<>();
        Map<String, RetireReason> due = new LinkedHashMap<>();

        for (MemberSnapshot m : members) {
            if (m.state() == MemberState.STARTING && !m.busy() && age(m, now).compareTo(startupTimeout) >= 0) {
                retire.put(m.id(), RetireReason.STARTUP_TIMEOUT);
            } else if (m.state() == MemberState.READY && !m.busy()) {
                RetireReason reason = retireReadyBecause(spec, m, now);
                // made from an older spec: gone at once, never handed out again (its limits or image are not the
                // pool's any more), so keeping it would only hold room
                if (reason == RetireReason.MAX_AGE) {
                    due.put(m.id(), reason);
                } else if (reason != null) {
                    retire.put(m.id(), reason);
                }
            }
        }
        int keptForNow = replaceFirst(spec, members, due, retire, now, createNotBefore);

        int alive = (int) members.stream().filter(m -> m.state() != MemberState.TERMINATING).count() - retire.size();
        List<MemberSnapshot> idle = members.stream()
                .filter(m -> m.state() == MemberState.READY && !m.busy() && !retire.containsKey(m.id()))
                .filter(m -> m.readySince() != null && !m.readySince().plus(spec.idleTimeout()).isAfter(now))
                .sorted(Comparator.comparing(MemberSnapshot::readySince))
                .toList();
        for (MemberSnapshot m : idle) {
            if (alive <= spec.minSize() || waiters > 0) {
                break;
            }
            retire.put(m.id(), RetireReason.IDLE);
            alive--;
        }

        // maxSize lowered below what the pool has: idle members go now, leased ones as they are released
        List<MemberSnapshot> surplus = members.stream()
                .filter(m -> m.state() == MemberState.READY && !m.busy() && !retire.containsKey(m.id()))
                .sorted(Comparator.comparing(MemberSnapshot::readySince, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        for (MemberSnapshot m : surplus) {
            if (alive <= spec.maxSize()) {
                break;
            }
            retire.put(m.id(), RetireReason.OVER_MAX_SIZE);
            alive--;
        }

        for (MemberSnapshot m : members) {
            if (m.busy() || retire.containsKey(m.id())) {
                continue;
            }
            if (m.state() == MemberState.STARTING && dueAfter(m.lastProbeAt(), STARTUP_PROBE_INTERVAL, now)
                    || m.state() == MemberState.READY && dueAfter(probedOrReady(m), spec.probePeriod(), now)) {
                probe.add(m.id());
            }
        }

        // members kept until their replacements are ready do not count towards minSize: those replacements are made
        return new Plan(toCreate(spec, members, retire.size(), alive - keptForNow, waiters, now, createNotBefore),
                retire, probe);
    }

    /**
     * Members older than maxAge leave once the pool has minSize warm members besides them: their replacements start
     * first, within maxSize, so an ageing pool is never short (before, members made together aged together and went
     * at once, and the pool was short of them until their replacements were ready); they serve meanwhile. At maxSize, with nothing starting or being removed, one goes to make room for
     * one replacement at a time; while creation backs off after start failures, they go at once, as nothing would
     * replace them.
     * Adds the ones that go to {@code retire}; returns how many stay for now.
     */
    private static int replaceFirst(PoolSettings spec, List<MemberSnapshot> members, Map<String, RetireReason> due,
            Map<String, RetireReason> retire, Instant now, Instant createNotBefore) {
        boolean canCreate = createNotBefore == null || !now.isBefore(createNotBefore);
        long warmBesides = members.stream().filter(m -> !due.containsKey(m.id()) && !retire.containsKey(m.id()))
                .filter(m -> m.state() == MemberState.READY || m.state() == MemberState.LEASED
                        || m.state() == MemberState.CLEANING)
                .count();
        // room is there, or coming: a member starting (a replacement under way) or one being removed frees it
        boolean roomMade = spec.maxSize() - members.size() > 0 || members.stream().anyMatch(m ->
                m.state() == MemberState.TERMINATING || m.state() == MemberState.STARTING && !retire.containsKey(m.id()));
        int kept = 0;
        List<MemberSnapshot> oldestFirst = members.stream().filter(m -> due.containsKey(m.id()))
                .sorted(Comparator.comparing(MemberSnapshot::createdAt)).toList();
        for (MemberSnapshot m : oldestFirst) {
            if (!canCreate || warmBesides >= spec.minSize() || !roomMade) {
                retire.put(m.id(), due.get(m.id()));
                roomMade = true;
            } else {
                kept++;
            }
        }
        return kept;
    }

    private int toCreate(PoolSettings spec, List<MemberSnapshot> members, int retiring, int alive, int waiters,
            Instant now, Instant createNotBefore) {
        if (createNotBefore != null && now.isBefore(createNotBefore)) {
            return 0;
        }
        long comingUp = members.stream().filter(m -> m.state() == MemberState.STARTING
                || m.state() == MemberState.CLEANING).count();
        long ready = members.stream().filter(m -> m.state() == MemberState.READY).count();
        // retirements planned now are all of ready or starting members
        long available = ready + comingUp - retiring;
        int wanted = (int) Math.max(spec.minSize() - alive, waiters - available);
        int room = spec.maxSize() - members.size();
        return Math.max(0, Math.min(wanted, room));
    }

    /** Recycle, or destroy and say why. Checked when a lease ends, since leased members are never retired. */
    public ReleaseDecision afterRelease(PoolSettings spec, MemberSnapshot m, boolean damaged, Instant now) {
        if (damaged) {
            return new ReleaseDecision(RetireReason.DAMAGED);
        }
        if (spec.reusePolicy() == ReusePolicy.SingleUse) {
            return new ReleaseDecision(RetireReason.SINGLE_USE);
        }
        if (m.uses() >= usesAllowed(spec, m.id())) {
            return new ReleaseDecision(RetireReason.MAX_USES);
        }
        RetireReason reason = retireReadyBecause(spec, m, now);
        return reason == null ? ReleaseDecision.RECYCLE : new ReleaseDecision(reason);
    }

    /**
     * The uses after which a member is replaced: {@code maxUses}, less up to a tenth picked by the member's id. Busy
     * members are used in turn, so members started together would otherwise all reach {@code maxUses} at once and be
     * replaced together, leaving the pool short for the seconds that takes (gunicorn spreads worker restarts with
     * {@code max_requests_jitter} for the same reason).
     */
    static int usesAllowed(PoolSettings spec, String memberId) {
        int spread = spec.maxUses() / 10;
        return spec.maxUses() - Math.floorMod(memberId.hashCode(), spread + 1);
    }

    /**
     * After a lease that ran no code: its sandbox is exactly as it was handed out, so a recycled one needs no clean-up
     * and the lease is not a use. SingleUse keeps its promise (a sandbox per lease) all the same.
     */
    public ReleaseDecision afterUntouchedRelease(PoolSettings spec, MemberSnapshot m, Instant now) {
        if (spec.reusePolicy() == ReusePolicy.SingleUse) {
            return new ReleaseDecision(RetireReason.SINGLE_USE);
        }
        RetireReason reason = retireReadyBecause(spec, m, now);
        return reason == null ? ReleaseDecision.RECYCLE : new ReleaseDecision(reason);
    }

    private static RetireReason retireReadyBecause(PoolSettings spec, MemberSnapshot m, Instant now) {
        if (m.probeFailures() >= spec.probeFailureThreshold()) {
            return RetireReason.UNHEALTHY;
        }
        if (!spec.specHash().equals(m.specHash())) {
            return RetireReason.SPEC_CHANGED;
        }
        if (age(m, now).compareTo(spec.maxAge()) >= 0) {
            return RetireReason.MAX_AGE;
        }
        return null;
    }

    private static Duration age(MemberSnapshot m, Instant now) {
        return Duration.between(m.createdAt(), now);
    }

    private static Instant probedOrReady(MemberSnapshot m) {
        if (m.lastProbeAt() == null) {
            return m.readySince();
        }
        return m.readySince() == null || m.lastProbeAt().isAfter(m.readySince()) ? m.lastProbeAt() : m.readySince();
    }

    private static boolean dueAfter(Instant last, Duration interval, Instant now) {
        return last == null || !last.plus(interval).isAfter(now);
    }
}
