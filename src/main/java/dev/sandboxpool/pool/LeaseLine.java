package dev.sandboxpool.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callers of one pool waiting for a member, first come, first served. Waiting holds no thread: a caller is a
 * future in the line (issue 13 item 2: 200 waiting one-shots held all 200 request threads). One dispatcher, a single
 * thread, claims members for the callers in order whenever the store says one may be free, so two claims for one
 * caller never race, and a caller behind another is never served first.
 */
final class LeaseLine {
    private static final Logger log = LoggerFactory.getLogger(LeaseLine.class);

    private final String pool;
    private final LeaseStore store;
    private final Executor dispatcher;
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    private boolean stopped;

    /** @param dispatcher a single thread: the line is served there */
    LeaseLine(String pool, LeaseStore store, Executor dispatcher) {
        this.pool = pool;
        this.store = store;
        this.dispatcher = dispatcher;
    }

    /** Longest a caller waits for the dispatcher's first look, whatever its own wait. */
    private static final Duration FIRST_LOOK = Duration.ofSeconds(5);

    /**
     * A caller in line: {@code claimed} completes with the member claimed for it, or fails when its wait ends;
     * {@code tried} completes once the dispatcher looked for a member for it.
     */
    static final class Waiter {
        final String token;
        final Duration ttl;
        /** Claimed with {@link LeaseStore#claimOneShot}: a one-shot's internal lease. */
        final boolean oneShot;
        final CompletableFuture<LeaseStore.Stored> claimed = new CompletableFuture<>();
        final CompletableFuture<Void> tried = new CompletableFuture<>();
        /** Served by the dispatcher's first look, without waiting for a member to start or be cleaned. */
        volatile boolean warm = true;

        Waiter(String token, Duration ttl, boolean oneShot) {
            this.token = token;
            this.ttl = ttl;
            this.oneShot = oneShot;
        }

        CompletableFuture<LeaseStore.Stored> claimed() {
            return claimed;
        }

        boolean warm() {
            return warm;
        }
    }

    synchronized boolean isEmpty() {
        return waiters.isEmpty();
    }

    synchronized int size() {
        return waiters.size();
    }

    /**
     * Joins the line for up to {@code maxWait}. The waiter's {@code claimed} fails with a {@link TimeoutException}
     * when the wait ends (after the dispatcher's first look for it), {@link TooManyWaitingException} when {@code
     * limit} callers wait already, {@link PoolStoppedException} when the pool stops. Cancelling it leaves the line.
     * {@code oneShot}: the caller is a one-shot, claimed for with {@link LeaseStore#claimOneShot}.
     */
    Waiter join(String token, Duration ttl, Duration maxWait, int limit, boolean oneShot) {
        Waiter w = new Waiter(token, ttl, oneShot);
        synchronized (this) {
            if (stopped) {
                w.claimed.completeExceptionally(new PoolStoppedException(pool));
                return w;
            }
            if (waiters.size() >= limit) {
                w.claimed.completeExceptionally(new TooManyWaitingException(pool, limit));
                return w;
            }
            waiters.addLast(w);
        }
        // The JDK's timer; a member handed over first wins the race, since the dispatcher completes a waiter only if
        // nothing else did, and gives back a member claimed for one that timed out. A wait that ends before the
        // dispatcher looked even once (a zero or short wait) still gets that first look, up to FIRST_LOOK.
        CompletableFuture<Void> waitEnds = new CompletableFuture<Void>()
                .completeOnTimeout(null, Math.max(0, maxWait.toMillis()), TimeUnit.MILLISECONDS);
        w.claimed.whenComplete((member, failure) -> {
            waitEnds.cancel(false);
            if (failure != null) {
                leave(w);
            }
        });
        waitEnds.thenRun(() -> w.tried.orTimeout(FIRST_LOOK.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((looked, timeout) -> w.claimed.completeExceptionally(new TimeoutException())));
        dispatchSoon();
        return w;
    }

    private void leave(Waiter w) {
        boolean left;
        synchronized (this) {
            left = waiters.remove(w);
        }
        if (left) {
            store.waitingChanged(size());
        }
    }

    /** Serves the line soon, on the dispatcher (at most one run queued besides the one under way). */
    void dispatchSoon() {
        if (dispatchQueued.compareAndSet(false, true)) {
            try {
                dispatcher.execute(this::serve);
            } catch (RejectedExecutionException e) {
                dispatchQueued.set(false); // stopping: nobody is served any more
            }
        }
    }

    /** Dispatcher thread: claims members for callers in order until none is left, or none is free. */
    private void serve() {
        dispatchQueued.set(false);
        try {
            while (true) {
                Waiter head;
                synchronized (this) {
                    head = waiters.peekFirst();
                    if (head != null && head.claimed.isDone()) {
                        waiters.pollFirst(); // gave up or timed out
                        continue;
                    }
                }
                if (head == null) {
                    break;
                }
                Optional<LeaseStore.Stored> member = head.oneShot ? store.claimOneShot(head.token, head.ttl)
                        : store.claim(head.token, head.ttl);
                if (member.isEmpty()) {
                    head.warm = false;
                    break;
                }
                synchronized (this) {
                    waiters.remove(head);
                }
                if (!head.claimed.complete(member.get())) {
                    store.giveBack(head.token); // its caller went away while it was claimed
                }
            }
        } catch (RuntimeException e) {
            // the store says again when a member may be free (and a remote store's tick asks once a second)
            log.warn("pool {}: cannot claim a member for a waiting caller: {}", pool, e.getMessage());
        }
        synchronized (this) {
            // nobody still waiting can be served before the first in line, and that one got no member now
            waiters.forEach(w -> w.tried.complete(null));
        }
        store.waitingChanged(size());
    }

    /** Fails every waiting caller with {@code why}; nobody can join any more. */
    void stop(RuntimeException why) {
        List<Waiter> left;
        synchronized (this) {
            stopped = true;
            left = List.copyOf(waiters);
            waiters.clear();
        }
        left.forEach(w -> w.claimed.completeExceptionally(why));
    }
}
