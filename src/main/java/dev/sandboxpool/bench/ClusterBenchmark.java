package dev.sandboxpool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.backend.kubernetes.SandboxPodFactory;
import dev.sandboxpool.operator.ClusterReasons;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * {@code ./sandboxpool bench --cluster}: the cluster rows of issue 15 against the cluster of {@code KUBECONFIG}, each
 * beside its baseline measured in the same run: one-shot {@code print(1)} through the lease API against an exec of
 * {@code python3 -c 'print(1)'} through the API server; the same at concurrency 8 through two API replicas, with a
 * check that no sandbox was leased twice; the time from creating a SandboxPool to its members Ready against the time
 * to start as many bare pods.
 *
 * <p>The operator and the two API replicas run on this machine as child processes of the jar (as {@code ./sandboxpool
 * operator} and {@code ./sandboxpool api} run them), reaching the cluster as the bench does; everything lives in a
 * namespace of the bench's own ({@link ClusterScratch}). The API replicas are called directly on their ports: a
 * {@code kubectl port-forward} to in-cluster replicas would add its own relay to every call.
 */
final class ClusterBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = System.getenv().getOrDefault("SANDBOX_IMAGE", "sandboxpool/python:latest");
    private static final String POOL = "bench";
    private static final int MEMBERS = 8;
    private static final int REPLICAS = 2;
    /** Longer than the local bench's 4 s: a cluster one-shot takes tens of ms, and p99 needs samples. */
    private static final Duration SCENARIO_TIME = Duration.ofSeconds(
            Long.parseLong(System.getenv().getOrDefault("BENCH_SECONDS", "10")));
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String PRINT_ONE = "{\"code\":\"print(1)\"}";

    private final KubernetesClient k8s;
    private final ClusterScratch scratch;
    private final Path jar;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Table table = new Table("scenario", "conc.", "p50", "p99", "throughput", "ratio to baseline",
            "samples");

    private ClusterBenchmark(KubernetesClient k8s, ClusterScratch scratch, Path jar) {
        this.k8s = k8s;
        this.scratch = scratch;
        this.jar = jar;
    }

    static void main(Path jar) throws Exception {
        Table table;
        try (KubernetesClient k8s = new KubernetesClientBuilder().build()) {
            System.out.printf(Locale.ROOT, "sandbox-pool cluster benchmark: %s (Kubernetes %s, %d node(s)), image %s, "
                    + "%s per scenario%n", k8s.getMasterUrl(), k8s.getKubernetesVersion().getGitVersion(),
                    k8s.nodes().list().getItems().size(), IMAGE, SCENARIO_TIME);
            System.out.println("pool " + POOL + ": Recycle, minSize " + MEMBERS + " = maxSize " + MEMBERS
                    + ", otherwise the spec's defaults; operator and " + REPLICAS + " API replicas on this machine "
                    + "(JVM options: " + String.join(" ", ChildJvm.LAUNCHER_OPTIONS) + ")");
            try (ClusterScratch scratch = ClusterScratch.open(k8s)) {
                table = new ClusterBenchmark(k8s, scratch, jar).run();
            }
        }
        table.printAndWrite(Path.of("target/bench-cluster.md"));
    }

    private Table run() throws Exception {
        String ns = scratch.namespace();
        int[] ports = freePorts(REPLICAS + 1);
        int operatorPort = ports[0];
        ChildJvm operator = scratch.track(startApp("operator", "operator", ns, operatorPort));
        int[] apiPorts = new int[REPLICAS];
        ChildJvm[] apis = new ChildJvm[REPLICAS];
        for (int r = 0; r < REPLICAS; r++) {
            apiPorts[r] = ports[r + 1];
            apis[r] = scratch.track(startApp("api-" + (r + 1), "api", ns, apiPorts[r]));
        }
        operator.awaitOk(http, URI.create("http://127.0.0.1:" + operatorPort + "/health/readiness"), START_TIMEOUT);
        for (int r = 0; r < REPLICAS; r++) {
            apis[r].awaitOk(http, URI.create("http://127.0.0.1:" + apiPorts[r] + "/health/readiness"), START_TIMEOUT);
        }
        Thread.sleep(3_000); // the processes' start-up compilation settles before anything is timed

        SandboxPool pool = Serialization.unmarshal(poolYaml(), SandboxPool.class);
        pool.getMetadata().setNamespace(ns);
        Load.Stats exec1;
        Load.Stats exec8;
        double bareMs;
        BarePods.Started bare = BarePods.start(k8s, pool, MEMBERS, START_TIMEOUT);
        try (BarePods pods = bare.pods()) {
            bareMs = bare.readyMs();
            exec1 = measure("baseline: exec python3 -c print(1) through the API server (Fabric8)", 1,
                    pods::printOne);
            exec8 = measure("baseline: exec python3 -c print(1) through the API server (Fabric8)", MEMBERS,
                    pods::printOne);
        }
        table.add("baseline: create " + MEMBERS + " bare pods until all Ready", "-", Table.fmt(bareMs) + " ms", "-",
                "-", "-", "-");

        double poolMs = startPool(pool);
        table.add("create SandboxPool until " + MEMBERS + " members Ready and idle", "-", Table.fmt(poolMs) + " ms",
                "-", "-", Table.ratio(poolMs, bareMs), "-");
        awaitNetworkCheck(ns);
        KeepAliveClient[] clients = new KeepAliveClient[REPLICAS];
        for (int r = 0; r < REPLICAS; r++) {
            apis[r].awaitOk(http, URI.create("http://127.0.0.1:" + apiPorts[r] + "/v1/pools/" + POOL), START_TIMEOUT);
            clients[r] = new KeepAliveClient(URI.create("http://127.0.0.1:" + apiPorts[r]));
            awaitReadyMembers(clients[r]);
        }

        Queue<Long> waited1 = new ConcurrentLinkedQueue<>();
        Load.Stats s1 = Load.run(1, SCENARIO_TIME, i -> {
            JsonNode r = oneShot(clients[0], PRINT_ONE, waited1);
            if (!r.path("stdout").asText().equals("1\n")) {
                throw new IllegalStateException("stdout " + r.path("stdout"));
            }
        });
        row("one-shot print(1) through the lease API, 1 replica", 1, s1, exec1.p50(), waited(waited1));

        Queue<LeaseCheck.Sample> seen = new ConcurrentLinkedQueue<>();
        Queue<Long> waited8 = new ConcurrentLinkedQueue<>();
        String body = JSON.writeValueAsString(Map.of("code", LeaseCheck.CODE));
        Load.Stats s8 = Load.run(MEMBERS, SCENARIO_TIME, i -> {
            JsonNode r = oneShot(clients[i % REPLICAS], body, waited8);
            seen.add(LeaseCheck.parse(r.path("sandbox").asText(), r.path("stdout").asText()));
        });
        LeaseCheck.Result check = LeaseCheck.check(seen);
        row("one-shot print(1) through the lease API, " + REPLICAS + " replicas", MEMBERS, s8, exec8.p50(),
                waited(waited8) + String.format(Locale.ROOT, "; %d executions in %d sandboxes: %d overlapping, "
                        + "%d unclean", check.samples(), check.sandboxes(), check.overlapping(), check.unclean()));
        if (check.doubleLeased()) {
            System.out.println("  DOUBLE LEASE: a sandbox served two leases at once (see LeaseCheck)");
        }
        for (ChildJvm p : List.of(operator, apis[0], apis[1])) {
            p.checkAlive();
        }
        return table;
    }

    private ChildJvm startApp(String name, String mode, String ns, int port) throws IOException {
        // HOSTNAME is what a replica writes on the pods it leases and its key in the pool's demand annotation
        return ChildJvm.start(name, jar, mode, List.of(), Map.of("SANDBOXPOOL_WATCH_NAMESPACES", ns,
                "SANDBOXPOOL_PORT", Integer.toString(port), "HOSTNAME", "bench-" + name));
    }

    private static String poolYaml() {
        return """
                apiVersion: sandboxpool.dev/v1alpha1
                kind: SandboxPool
                metadata:
                  name: %s
                spec:
                  image: %s
                  minSize: %d
                  maxSize: %d
                  lease:
                    acquireTimeout: 60s
                """.formatted(POOL, IMAGE, MEMBERS, MEMBERS);
    }

    /** From the create call to {@code MEMBERS} member pods Ready (the kubelet) and idle (the operator): leasable. */
    private double startPool(SandboxPool pool) throws Exception {
        String ns = pool.getMetadata().getNamespace();
        CompletableFuture<Long> leasable = k8s.pods().inNamespace(ns).withLabels(SandboxPodFactory.memberLabels(POOL))
                .informOnCondition(pods -> pods.stream().filter(p -> Readiness.isPodReady(p)
                        && new MemberPod(p).state() == MemberState.READY).count() >= MEMBERS)
                .thenApply(pods -> System.nanoTime());
        long started = System.nanoTime();
        k8s.resource(pool).create();
        return (leasable.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) - started) / 1e6;
    }

    /**
     * The operator's network check of a {@code network: None} pool claims an idle member for a moment after the first
     * is Ready; measuring after it keeps that claim out of the load.
     */
    private void awaitNetworkCheck(String ns) {
        try {
            k8s.resources(SandboxPool.class).inNamespace(ns).withName(POOL).waitUntilCondition(p -> p != null
                    && p.getStatus() != null && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream().anyMatch(c -> c.getType()
                            .equals(ClusterReasons.TYPE_NETWORK_ISOLATED)
                            && !c.getReason().equals(ClusterReasons.NOT_CHECKED)), 60, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            System.out.println("  the network check did not finish within 60 s; measuring anyway: " + e.getMessage());
        }
    }

    private static void awaitReadyMembers(KeepAliveClient api) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (expect(api.send("GET", "/v1/pools/" + POOL, null), 200).path("ready").asInt() < MEMBERS) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the API does not see " + MEMBERS + " ready members");
            }
            Thread.sleep(50);
        }
    }

    private Load.Stats measure(String name, int concurrency, IntConsumer call) throws InterruptedException {
        Load.Stats s = Load.run(concurrency, SCENARIO_TIME, call);
        row(name, concurrency, s, Double.NaN, "");
        return s;
    }

    private void row(String name, int concurrency, Load.Stats s, double baseP50, String note) {
        table.add(name, Integer.toString(concurrency), Table.fmt(s.p50()) + " ms", Table.fmt(s.p99()) + " ms",
                Table.fmt(s.perSecond()) + "/s", Double.isNaN(baseP50) ? "-" : Table.ratio(s.p50(), baseP50),
                s.count() + " ok, " + s.errors() + " errors" + note);
        System.out.printf(Locale.ROOT, "  measured %-70s c=%-2d p50 %8s ms%n", name, concurrency, Table.fmt(s.p50()));
        if (s.errors() > 0) {
            System.out.println("    first error: " + s.firstError());
        }
    }

    /** @param waited collects the answer's {@code waitedMs}: the part of the time spent getting a sandbox */
    private static JsonNode oneShot(KeepAliveClient api, String body, Queue<Long> waited) {
        JsonNode r = expect(api.send("POST", "/v1/pools/" + POOL + "/executions", body), 200);
        if (r.path("exitCode").asInt(-1) != 0 || r.has("error")) {
            throw new IllegalStateException("execution failed: " + r);
        }
        waited.add(r.path("waitedMs").asLong());
        return r;
    }

    private static String waited(Queue<Long> waitedMs) {
        List<Long> sorted = waitedMs.stream().map(ms -> ms * 1_000_000).sorted().toList();
        return "; waited for a sandbox p50 " + Table.fmt(Load.percentile(sorted, 50)) + " ms";
    }

    private static JsonNode expect(KeepAliveClient.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException(r.status() + " " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code n} distinct ports free now, below Linux's ephemeral range (32768 and up). A port the kernel hands out
     * for a listener of port 0 is in that range, and one run failed because the operator's own connections to the API
     * server took its port before its HTTP server bound it (seconds later, after the controller started).
     */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new java.util.ArrayList<>();
        try {
            int start = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000);
            for (int port = start; held.size() < n && port < 32_768; port++) {
                try {
                    held.add(new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()));
                } catch (IOException taken) {
                    // in use: the next one
                }
            }
            if (held.size() < n) {
                throw new IOException("no " + n + " free ports from " + start + " to 32767");
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }
}
