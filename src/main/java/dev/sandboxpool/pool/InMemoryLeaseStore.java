package dev.sandboxpool.pool;

import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.execution.RunnerSession;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode's leases, in memory beside the members they hold ({@link LocalMembers}), under the members' lock: a
 * claim takes the newest ready member and marks it leased in one step. Every call runs inline (microseconds under
 * the lock). Leases that pass their time to live without a renewal are reclaimed by the members' loop ({@link
 * #expire}).
 */
final class InMemoryLeaseStore implements LeaseStore {
    private static final Logger log = LoggerFactory.getLogger(InMemoryLeaseStore.class);
    private static final int REMEMBERED = 10_000;

    private final LocalMembers members;
    private final Clock clock;
    private final Map<String, ActiveLease> leases = new ConcurrentHashMap<>();
    /** Why recent leases ended without a release, so their callers get "expired", not "unknown". */
    private final Map<String, String> ended = bounded();
    /** Recent leases whose member the backend lost while they held it. */
    private final Set<String> lost = Collections.newSetFromMap(bounded());
    private Engine engine;

    InMemoryLeaseStore(LocalMembers members, Clock clock) {
        this.members = members;
        this.clock = clock;
    }

    private static <V> Map<String, V> bounded() {
        return Collections.synchronizedMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        });
    }

    /** An active lease and what only the store knows of it. */
    private static final class ActiveLease {
        final String memberId;
        final String member;
        final Instant since;
        volatile Instant expiresAt;
        volatile boolean damaged;
        /** Code ran under this lease (written under the members' lock): until then the sandbox is as handed out. */
        boolean touched;

        ActiveLease(String memberId, String member, Instant since, Instant expiresAt) {
            this.memberId = memberId;
            this.member = member;
            this.since = since;
            this.expiresAt = expiresAt;
        }

        Stored stored() {
            return new Stored(member, since, expiresAt);
        }
    }

    @Override
    public void bind(Engine engine) {
        this.engine = engine;
        members.bind(engine);
    }

    @Override
    public String name() {
        return members.name();
    }

    @Override
    public String ref() {
        return members.name();
    }

    @Override
    public PoolSettings settings() {
        return members.settings();
    }

    @Override
    public Executor calls() {
        return Runnable::run;
    }

    @Override
    public boolean quickClaims() {
        return true;
    }

    /** Leases held right now. */
    int active() {
        return leases.size();
    }

    @Override
    public Optional<Stored> claim(String token, Duration ttl) {
        members.lock.lock();
        try {
            ActiveLease already = leases.get(token);
            if (already != null) {
                return Optional.of(already.stored());
            }
            Member m = members.takeReady();
            if (m == null) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            ActiveLease a = new ActiveLease(m.id, m.label(), now, now.plus(ttl));
            leases.put(token, a);
            return Optional.of(a.stored());
        } finally {
            members.lock.unlock();
        }
    }

    @Override
    public void giveBack(String token) {
        try {
            release(token, false);
        } catch (LeaseNotActiveException e) {
            // it ended meanwhile
        }
    }

    @Override
    public Optional<Stored> find(String token) {
        ActiveLease a = leases.get(token);
        return a == null ? Optional.empty() : Optional.of(a.stored());
    }

    @Override
    public Optional<String> whyEnded(String token) {
        return Optional.ofNullable(ended.get(token));
    }

    private ActiveLease active(String token) {
        ActiveLease a = leases.get(token);
        if (a != null) {
            return a;
        }
        String id = LeaseIds.of(ref(), token);
        String why = ended.get(token);
        throw why != null ? new LeaseExpiredException(id, why) : new LeaseNotActiveException(id);
    }

    @Override
    public Stored renew(String token, Duration ttl) {
        ActiveLease a = active(token);
        a.expiresAt = clock.instant().plus(ttl);
        return a.stored();
    }

    /**
     * The lease's member held from its clean-up ({@link Member#use}) until the use is closed, after checking under
     * the lock that the lease still holds it. Counts the lease's use of it.
     */
    @Override
    public Use use(String token) {
        ActiveLease a = active(token);
        String id = LeaseIds.of(ref(), token);
        Member m = members.member(a.memberId);
        if (m == null) {
            throw new LeaseExpiredException(id, "its sandbox is gone");
        }
        ReentrantReadWriteLock.ReadLock use = m.use.readLock();
        use.lock();
        try {
            Runner runner;
            members.lock.lock();
            try {
                if (leases.get(token) != a || members.leased(a.memberId) != m) {
                    throw new LeaseExpiredException(id, "its sandbox is gone");
                }
                if (!a.touched) {
                    // a use is a lease that ran code: set before it runs, so a failed execution counts too
                    a.touched = true;
                    m.uses++;
                }
                runner = members.runnerOf(m);
            } finally {
                members.lock.unlock();
            }
            return new Use(m.label(), runner, runner instanceof RunnerSession, use::unlock);
        } catch (RuntimeException e) {
            use.unlock();
            throw e;
        }
    }

    @Override
    public void executed(String token) {
        // the engine counts executions; a member's uses are leases, counted at their first use
    }

    @Override
    public void damaged(String token, RuntimeException cause) {
        ActiveLease a = leases.get(token);
        if (a != null) {
            a.damaged = true;
        }
        if (cause != null) {
            members.noteBackendFailure(cause);
        }
    }

    @Override
    public boolean memberLost(String token) {
        return lost.contains(token);
    }

    /** A cancel reaches the member's runner only while the lease holds it; it needs no hold of the member. */
    @Override
    public void cancel(String token, String nonce) {
        ActiveLease a = leases.get(token);
        if (a == null) {
            return;
        }
        Runner runner;
        members.lock.lock();
        try {
            Member m = members.leased(a.memberId);
            runner = m != null && leases.get(token) == a ? m.runner : null;
        } finally {
            members.lock.unlock();
        }
        if (runner != null) {
            runner.cancel(nonce);
        }
    }

    @Override
    public void release(String token, boolean clean) {
        ActiveLease a = leases.remove(token);
        if (a == null) {
            active(token); // throws: expired, or unknown / released twice
            return;
        }
        members.returned(a.memberId, touched(a), a.damaged, clean, null);
    }

    /** Whether code ran under the lease: written under the members' lock, so read under it. */
    private boolean touched(ActiveLease a) {
        members.lock.lock();
        try {
            return a.touched;
        } finally {
            members.lock.unlock();
        }
    }

    @Override
    public void waitingChanged(int waiting) {
        members.requestReconcile();
    }

    @Override
    public PoolStats stats(int waiting, long executions) {
        return members.stats(waiting, executions);
    }

    /** Reclaims leases whose time to live passed: a running execution dies with its sandbox. */
    void expire(Instant now) {
        for (Map.Entry<String, ActiveLease> e : List.copyOf(leases.entrySet())) {
            ActiveLease a = e.getValue();
            if (a.expiresAt.isAfter(now) || !leases.remove(e.getKey(), a)) {
                continue;
            }
            ended.put(e.getKey(), "not renewed before " + a.expiresAt);
            members.events().leaseExpired(name());
            boolean running = engine.executing(e.getKey());
            log.info("pool {}: lease on {} expired{}", name(), a.member,
                    running ? " during an execution: the sandbox is destroyed" : "");
            members.returned(a.memberId, touched(a), a.damaged, false, running ? RetireReason.LEASE_EXPIRED : null);
        }
    }

    /** Under the members' lock: a member lost while leased ends its lease. */
    void memberLost(String memberId, String why) {
        for (Map.Entry<String, ActiveLease> e : List.copyOf(leases.entrySet())) {
            if (e.getValue().memberId.equals(memberId) && leases.remove(e.getKey(), e.getValue())) {
                lost.add(e.getKey());
                ended.put(e.getKey(), why);
            }
        }
    }

    /** The pool stopped: every lease ends. */
    void stopped() {
        leases.keySet().forEach(token -> ended.put(token, "the pool stopped"));
        leases.clear();
    }
}
