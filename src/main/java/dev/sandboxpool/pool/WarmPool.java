package dev.sandboxpool.pool;

import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.spec.PoolSettings;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One local pool: the {@link LeaseEngine} over leases in memory ({@link InMemoryLeaseStore}), on members kept at
 * the pool's shape by {@link LocalMembers} through the {@link SandboxBackend}.
 */
public final class WarmPool extends LeaseEngine {
    private final LocalMembers members;
    private final ExecutorService dispatcher;

    public WarmPool(PoolSettings settings, SandboxBackend backend, PoolEngineConfig config, Clock clock,
            PoolEvents events) {
        this(new LocalMembers(settings, backend, config, clock, events), events,
                Executors.newSingleThreadExecutor(DaemonThreads.named("pool-" + settings.name() + "-line")));
    }

    private WarmPool(LocalMembers members, PoolEvents events, ExecutorService dispatcher) {
        super(members.leases(), events, dispatcher);
        this.members = members;
        this.dispatcher = dispatcher;
    }

    /** Removes what an earlier run left, then starts warming and the periodic loop. */
    public void start() {
        members.start();
    }

    /** A new spec for this pool: sizes apply at once, members of an older shape are replaced when idle. */
    public void update(PoolSettings newSettings) {
        members.update(newSettings);
    }

    /** Leases held right now. */
    public int activeLeases() {
        return members.leases().active();
    }

    /** Stops handing out members, fails waiting callers, and removes every member. Waits for the removals. */
    public void stop() {
        stopLeasing();
        members.stop();
        dispatcher.shutdown();
        try {
            dispatcher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
