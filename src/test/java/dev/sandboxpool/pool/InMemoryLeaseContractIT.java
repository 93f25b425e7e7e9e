package dev.sandboxpool.pool;

import static org.awaitility.Awaitility.await;

import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.TestPools;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The lease contract over leases in memory, on a real Docker member. */
class InMemoryLeaseContractIT extends LeaseContract {
    private TestPools pools;
    private WarmPool pool;

    @BeforeEach
    void start() {
        pools = new TestPools();
        pool = pools.start(DockerTestSupport.settings("contract", s -> {
            s.setMinSize(1);
            s.setMaxSize(1);
        }));
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().ready() == 1);
    }

    @AfterEach
    void stop() {
        pools.close();
    }

    @Override
    protected Pool pool() {
        return pool;
    }

    @Override
    protected String ref() {
        return "contract";
    }
}
