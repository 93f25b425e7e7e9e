package dev.sandboxpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.testing.DockerTestSupport;
import dev.sandboxpool.testing.PrivateDockerDaemon;
import dev.sandboxpool.testing.TestPools;
import dev.sandboxpool.local.PoolsHealthIndicator;
import dev.sandboxpool.metrics.PoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Docker daemon stopped under a pool and started again (issue 13 item 1). Before, the first removal that met
 * the missing socket threw a plain RuntimeException out of a worker thread: the member stayed busy and TERMINATING
 * for ever, still counted against maxSize, and after the daemon was back the pool sat at 0 replicas answering 429
 * with "Degraded False: nothing is wrong". Now the outage shows in the conditions, in {@code /health} and in
 * {@code sandboxpool_backend_up}, callers hear of it at once, and the pool recovers by itself.
 */
class DockerOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static PrivateDockerDaemon daemon;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = PrivateDockerDaemon.startWithSandboxImage();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void aPoolWaitsOutADockerOutageSaysSoAndRecoversByItself() throws Exception {
        DockerClient client = daemon.client();
        DockerBackend backend = new DockerBackend(client);
        PoolSettings s = DockerTestSupport.settings("outage", spec -> {
            spec.setMinSize(2);
            spec.setMaxSize(2);
        });
        MeterRegistry registry = new SimpleMeterRegistry();
        PoolMetrics metrics = new PoolMetrics(registry);
        WarmPool pool = new WarmPool(s, backend, TestPools.FAST, Clock.systemUTC(), metrics);
        metrics.watch(pool);
        PoolsHealthIndicator health = new PoolsHealthIndicator(client, registryOf(pool));
        ExecutorService io = Executors.newSingleThreadExecutor();
        health.setExecutorService(io);
        pool.start();
        try {
            await().atMost(WAIT).until(() -> pool.stats().ready() == 2);
            assertThat(status(health)).isEqualTo(HealthStatus.UP);
            assertThat(backendUp(registry)).isEqualTo(1);
            Lease held = pool.acquire(WAIT, Duration.ofMinutes(5));
            pool.execute(held.id(), ExecutionRequest.of("open('x', 'w').write('1')", Duration.ofSeconds(10)));

            daemon.stop();
            // the daemon stops its containers before its socket goes: the pool may have seen the lease's sandbox
            // go first; either way a removal meets the missing socket
            try {
                pool.release(held.id());
            } catch (LeaseNotActiveException e) {
                assertThat(e).hasMessageContaining("was lost");
            }

            await().atMost(WAIT).untilAsserted(() -> {
                PoolStats st = pool.stats();
                assertThat(st.backendAvailable()).isFalse();
                assertThat(condition(st, Condition.TYPE_DEGRADED).getReason())
                        .isEqualTo(Condition.REASON_BACKEND_UNAVAILABLE);
                assertThat(condition(st, Condition.TYPE_READY).getStatus()).isEqualTo(Condition.FALSE);
            });
            assertThat(condition(pool.stats(), Condition.TYPE_DEGRADED).getMessage())
                    .contains("the backend does not answer").contains("Docker daemon");
            assertThat(backendUp(registry)).isZero();
            assertThat(status(health)).isEqualTo(HealthStatus.DOWN);
            // callers are told at once, not after their acquire timeout
            long asked = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(20), Duration.ofMinutes(1)))
                    .isInstanceOf(PoolUnavailableException.class).hasMessageContaining("does not answer");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));

            daemon.start();

            await().atMost(WAIT).untilAsserted(() -> {
                PoolStats st = pool.stats();
                assertThat(st.backendAvailable()).isTrue();
                assertThat(st.ready()).isEqualTo(2);
                assertThat(st.terminating()).isZero();
                assertThat(st.replicas()).isEqualTo(2);
                // a daemon that is stopping may refuse a start (500) before its socket goes: forgotten once it is back
                assertThat(st.startFailures()).isZero();
                assertThat(condition(st, Condition.TYPE_DEGRADED).getStatus()).isEqualTo(Condition.FALSE);
                assertThat(condition(st, Condition.TYPE_READY).getStatus()).isEqualTo(Condition.TRUE);
            });
            assertThat(backendUp(registry)).isEqualTo(1);
            assertThat(status(health)).isEqualTo(HealthStatus.UP);
            assertThat(pool.runOnce(ExecutionRequest.of("import os; print(6*7, os.listdir('.'))",
                    Duration.ofSeconds(10)), WAIT).result().stdout()).isEqualTo("42 []\n");
            // what the daemon stopped was removed: no container but the pool's two is left
            assertThat(backend.list("outage")).hasSize(2);
        } finally {
            pool.stop();
            backend.close();
            io.shutdownNow();
        }
        assertThat(backend.list("outage")).isEmpty();
    }

    private static double backendUp(MeterRegistry registry) {
        return registry.get("sandboxpool_backend_up").tag("pool", "outage").gauge().value();
    }

    private static PoolRegistry registryOf(Pool pool) {
        return new PoolRegistry() {
            @Override
            public Optional<Pool> find(String name) {
                return Optional.of(pool).filter(p -> p.name().equals(name));
            }

            @Override
            public Collection<Pool> all() {
                return List.of(pool);
            }
        };
    }

    /** What GET /health would say, read from the indicator the application registers. */
    private static HealthStatus status(PoolsHealthIndicator health) throws Exception {
        CompletableFuture<HealthResult> first = new CompletableFuture<>();
        health.getResult().subscribe(new Subscriber<HealthResult>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(HealthResult r) {
                first.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                first.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
            }
        });
        return first.get(30, TimeUnit.SECONDS).getStatus();
    }

    private static Condition condition(PoolStats s, String type) {
        return s.conditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
