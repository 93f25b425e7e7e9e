package dev.sandboxpool.cluster;

import static dev.sandboxpool.cluster.testing.ClusterHarness.served;

import dev.sandboxpool.cluster.testing.ClusterHarness;
import dev.sandboxpool.cluster.testing.MockCluster;
import dev.sandboxpool.pool.LeaseContract;
import dev.sandboxpool.pool.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The lease contract over leases on pods (compare-and-set through the Fabric8 mock server, real runners). */
class PodLeaseContractTest extends LeaseContract {
    private ClusterHarness h;
    private Pool pool;

    @BeforeEach
    void start() {
        h = new ClusterHarness();
        h.createPool("python", MockCluster.spec(1, 1));
        h.awaitReady("python", 1);
        pool = served(h.replica("api-a"), "python");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Override
    protected Pool pool() {
        return pool;
    }

    @Override
    protected String ref() {
        return MockCluster.NAMESPACE + ".python";
    }
}
