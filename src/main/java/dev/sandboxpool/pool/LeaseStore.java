package dev.sandboxpool.pool;

import dev.sandboxpool.execution.Runner;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Where one pool's leases are stored, and the members they hold: the port under the {@link LeaseEngine}. What
 * differs between the modes is this, not the engine: local mode keeps leases in memory next to its members; a
 * cluster keeps them on the member pods, written with compare-and-set, so several API replicas never hand one member
 * to two leases.
 *
 * <p>A store sees only tokens, the random part of a lease id. The engine takes the token out of an id that names
 * this pool ({@link LeaseIds#token}); an id of another pool never reaches the store (the cluster issue's item 9: a
 * lease of pool A served by pool B is impossible by construction).
 *
 * <p>Claims are fenced by the token: {@link #claim} for a token that already holds a member returns that member, so
 * a claim whose outcome was unknown (a write the server applied, whose answer was lost) is recognised as this
 * caller's own when it is tried again, and never takes a second member under one lease (item 11).
 */
public interface LeaseStore {
    /** The pool's name. */
    String name();

    /** How lease ids name this pool: the name the pool registry finds it by. */
    String ref();

    PoolSettings settings();

    /**
     * Where this store's calls run: inline when they are memory (microseconds under a lock); on threads of the
     * store's own when they are reads and writes of a remote store. The engine runs claims, renewals and releases
     * there, never on a caller's event loop.
     */
    Executor calls();

    /**
     * Whether a claim is quick (memory under a lock): then a caller tries one itself, on its own thread, before it
     * joins the line. When claims are writes to a remote store, every caller joins the line and the dispatcher's one
     * thread claims for each in turn, so a burst of callers starts no thread per caller.
     */
    boolean quickClaims();

    /** Binds the engine this store serves; called once, before any other call. */
    void bind(Engine engine);

    /**
     * A free member claimed for the lease {@code token} until {@code ttl} from now; empty when none is free. When
     * {@code token} already holds a member (an earlier claim for it was applied), that one.
     *
     * @throws PoolUnavailableException when the backend does not answer
     */
    Optional<Stored> claim(String token, Duration ttl);

    /**
     * {@link #claim} for a one-shot: a lease this engine runs one execution under and ends itself, whose id no caller
     * ever sees, so nothing outside this process ever looks for it. A store may serve it from members it holds for
     * this process's one-shots, without a write (a cluster: issue 15).
     */
    default Optional<Stored> claimOneShot(String token, Duration ttl) {
        return claim(token, ttl);
    }

    /**
     * A one-shot's claim that is memory alone, tried on the caller's thread before it joins the line: empty when
     * none can be had without a write (the line's dispatcher then does the whole {@link #claimOneShot}).
     */
    default Optional<Stored> quickOneShotClaim(String token, Duration ttl) {
        return quickClaims() ? claimOneShot(token, ttl) : Optional.empty();
    }

    /** A member claimed for a caller that went away before it had the lease: no code ran, it is free again. */
    void giveBack(String token);

    /** The lease while it is active, by the store's quick view (which a remote store may have a moment late). */
    Optional<Stored> find(String token);

    /** Why a lease that is no longer active ended without a release, when the store knows. */
    Optional<String> whyEnded(String token);

    /**
     * Extends the lease to {@code ttl} from now.
     *
     * @throws LeaseNotActiveException when it is unknown, released or expired
     */
    Stored renew(String token, Duration ttl);

    /**
     * The lease's member for one use (an execution or a call of its files, commands and contexts), checked against
     * the store's truth right before it (a remote store reads the member again), with the runner this process
     * reaches it through. The use ends when the returned value is closed.
     *
     * @throws LeaseNotActiveException when the lease no longer holds its member
     */
    Use use(String token);

    /** An execution ran under the lease: counted against its member. */
    void executed(String token);

    /**
     * Code of the lease (or the backend, {@code cause} when it is the backend's failure) damaged its member: it is
     * never handed out again. Quietly nothing when the lease has ended.
     */
    void damaged(String token, RuntimeException cause);

    /** The backend lost the lease's member (stopped, removed) while the lease held it: not its code's doing. */
    boolean memberLost(String token);

    /** Asks the runner of the lease's member to stop the request with {@code nonce}; never waits, never fails. */
    void cancel(String token, String nonce);

    /**
     * Ends the lease: its member is cleaned and reused, or retired, as the spec says. {@code clean}: the last
     * execution's runner request cleaned the sandbox before it answered. Called only once no use of the lease is
     * under way, and none can begin (the engine's {@link LeaseGates}).
     *
     * @throws LeaseNotActiveException when the lease had already ended
     */
    void release(String token, boolean clean);

    /** Where another process that holds the lease serves its calls ({@code ip:port}), when it is another. */
    default Optional<String> holderAddress(String token) {
        return Optional.empty();
    }

    /** The number of callers waiting in line changed (the reconcile loop grows the pool for them). */
    void waitingChanged(int waiting);

    /** The pool's status, with the engine's own figures. */
    PoolStats stats(int waiting, long executions);

    /** A stored lease: the member it holds, and its times. */
    record Stored(String member, Instant since, Instant expiresAt) {
    }

    /** One use of a lease's member: {@link #close} ends it. */
    record Use(String member, Runner runner, boolean holdsState, Runnable onClose) implements AutoCloseable {
        public Use(String member, Runner runner, boolean holdsState) {
            this(member, runner, holdsState, () -> { });
        }

        @Override
        public void close() {
            onClose.run();
        }
    }

    /** The engine, as a store sees it. */
    interface Engine {
        /** A member may be claimable now: waiting callers are served. */
        void claimable();

        /** An execution of the lease runs right now. */
        boolean executing(String token);

        /** Callers waiting in line. */
        int waiting();
    }
}
