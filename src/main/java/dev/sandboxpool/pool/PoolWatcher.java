package dev.sandboxpool.pool;

/**
 * Hears a registry's pools come and go (a cluster's pools appear and disappear with their SandboxPools): metrics
 * register a pool's gauges, and drop them, so a pool deleted and made again is never read through its old object.
 */
public interface PoolWatcher {
    PoolWatcher NONE = new PoolWatcher() {
        @Override
        public void served(Pool pool) {
        }

        @Override
        public void gone(Pool pool) {
        }
    };

    void served(Pool pool);

    void gone(Pool pool);
}
