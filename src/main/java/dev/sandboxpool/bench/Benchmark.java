package dev.sandboxpool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.backend.docker.DockerClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;

/**
 * {@code ./sandboxpool bench}: measures the product against its baselines in one run on one machine and prints a
 * table. Every figure is also given as a ratio to the bare {@code docker exec} baseline measured at the same
 * concurrency, because machines here are noisy and absolute numbers travel badly.
 *
 * <p>It starts the application jar as a child process twice: once with 3 pools of 5 idle members (footprint and
 * start-up), once with the latency pools. Parameters are printed first.
 */
public final class Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = System.getenv().getOrDefault("SANDBOX_IMAGE", "sandboxpool/python:latest");
    private static final int[] CONCURRENCY = {1, 4, 16};
    /** Each measured scenario runs this long per concurrency level (after a short warm-up). */
    private static final Duration SCENARIO_TIME = Duration.ofSeconds(
            Long.parseLong(System.getenv().getOrDefault("BENCH_SECONDS", "4")));
    private static final String PRINT_ONE = "{\"code\":\"print(1)\"}";
    /**
     * The E2B SDK rows' iterations: 200 warm run_code calls (about 3 ms each here) give a p99 that is not just the
     * slowest; 30 sandbox lives (about 15 ms each) keep the bench short, at the price of a p99 that is the slowest of
     * them. Together with the HTTP row they add 6-8 s.
     */
    private static final int SDK_RUN_CODE_ITERATIONS = 200;
    private static final int SDK_CREATE_ITERATIONS = 30;
    /** Untimed iterations before each: the SDK's first connection and imports, the first contexts. */
    private static final int SDK_WARMUP = 3;

    /**
     * The JDK client: to wait for the application, and for one comparison row. HTTP/1.1 with keep-alive; its default
     * (an h2c upgrade) adds latency.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newCachedThreadPool()).build();
    private final Table table = new Table("scenario", "conc.", "p50", "p99", "throughput", "p50 / bare exec",
            "samples");
    private final Map<Integer, Double> bareExecP50 = new java.util.HashMap<>();

    /** {@code Benchmark JAR [--cluster]}: local mode on Docker, or the cluster rows ({@link ClusterBenchmark}). */
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/sandbox-pool.jar");
        if (args.length > 1 && args[1].equals("--cluster")) {
            ClusterBenchmark.main(jar);
        } else if (args.length > 1) {
            throw new IllegalArgumentException("unknown option " + args[1] + ": use --cluster or nothing");
        } else {
            new Benchmark().run(jar);
        }
    }

    private void run(Path jar) throws Exception {
        System.out.printf(Locale.ROOT, "sandbox-pool benchmark: %d cores, image %s, %s per scenario, concurrency %s%n",
                Runtime.getRuntime().availableProcessors(), IMAGE, SCENARIO_TIME, java.util.Arrays.toString(CONCURRENCY));
        System.out.println("latency pool: bench (Recycle, minSize 8 = maxSize 8, maxUses 100); hot (the same with maxUses "
                + "100000); refill pools: bench, fresh (SingleUse, 4)");
        System.out.println("application JVM options: " + (ChildJvm.LAUNCHER_OPTIONS.isEmpty() ? "(none)"
                : String.join(" ", ChildJvm.LAUNCHER_OPTIONS)) + "; load generator: " + String.join(" ",
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // checked before anything is measured: a missing SDK fails the bench here, never leaves its rows out
        PythonSdkDriver sdk = PythonSdkDriver.fromEnvironment();
        System.out.println("E2B rows: Python SDK e2b " + PythonSdkDriver.PINNED.get("e2b") + " + e2b-code-interpreter "
                + PythonSdkDriver.PINNED.get("e2b-code-interpreter") + " against /e2b, template bench, timed in "
                + "Python: " + SDK_RUN_CODE_ITERATIONS + " x run_code in one sandbox, " + SDK_CREATE_ITERATIONS
                + " x create + run_code + kill, after " + SDK_WARMUP + " untimed each");
        DockerClient docker = DockerClients.connect();
        DockerBackend backend = new DockerBackend(docker);

        baselines(docker, backend);

        int port = 18080 + (int) (ProcessHandle.current().pid() % 1000);
        footprint(jar, port);
        try (App app = App.start(jar, port, extract("latency-pools.yaml"))) {
            app.awaitReady(http, Duration.ofSeconds(120), Map.of("bench", 8, "hot", 8, "fresh", 4));
            URI base = URI.create("http://127.0.0.1:" + port);
            KeepAliveClient api = new KeepAliveClient(base);
            for (int c : CONCURRENCY) {
                measure("one-shot print(1), HTTP", c, i -> post(api, "/v1/pools/bench/executions", PRINT_ONE));
            }
            measure("one-shot print(1), HTTP, maxUses 100000", 16,
                    i -> post(api, "/v1/pools/hot/executions", PRINT_ONE));
            int besideOneShot = table.size();
            for (int c : CONCURRENCY) {
                measure("lease acquire+release, HTTP", c, i -> {
                    JsonNode lease = post(api, "/v1/pools/bench/leases", "{}");
                    delete(api, "/v1/leases/" + lease.path("id").asText());
                });
            }
            // the same through the JDK's HttpClient, to show what a heavier client adds
            measure("lease acquire+release, HTTP, JDK HttpClient", 1, i -> {
                JsonNode lease = jdkSend(HttpRequest.newBuilder(base.resolve("/v1/pools/bench/leases"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")),
                        201);
                jdkSend(HttpRequest.newBuilder(base.resolve("/v1/leases/" + lease.path("id").asText())).DELETE(),
                        204);
            });
            for (int c : CONCURRENCY) {
                measure("lease + 10 x print(1), HTTP (per lease)", c, i -> {
                    JsonNode lease = post(api, "/v1/pools/bench/leases", "{}");
                    String id = lease.path("id").asText();
                    for (int k = 0; k < 10; k++) {
                        post(api, "/v1/leases/" + id + "/executions", PRINT_ONE);
                    }
                    delete(api, "/v1/leases/" + id);
                });
            }
            refill(api, "bench", 8);
            refill(api, "fresh", 4);
            // last, so the rows above run against the pool as they always did; shown beside the one-shot rows
            e2b(api, sdk, base.resolve("/e2b"), besideOneShot);
        }
        table.printAndWrite(Path.of("target/bench.md"));
    }

    // ---- baselines ----------------------------------------------------------------------------------------------

    private void baselines(DockerClient docker, DockerBackend backend) throws Exception {
        measure("baseline: fresh container per execution", 1, i -> coldRun(docker));
        List<String> containers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                containers.add(docker.createContainerCmd(IMAGE).withUser("65534:65534")
                        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")).exec().getId());
                docker.startContainerCmd(containers.get(i)).exec();
            }
            for (int c : CONCURRENCY) {
                Load.Stats s = measure("baseline: bare docker exec python3 -c print(1)", c, i -> {
                    String id = containers.get(i % containers.size());
                    var out = backend.exec(id, ExecCall.of(Duration.ofSeconds(30), "python3", "-c", "print(1)"));
                    if (!"1\n".equals(out.stdoutText())) {
                        throw new IllegalStateException("unexpected output " + out.stdoutText());
                    }
                });
                bareExecP50.put(c, s.p50());
            }
        } finally {
            containers.forEach(backend::destroy);
        }
    }

    private static void coldRun(DockerClient docker) {
        String id = docker.createContainerCmd(IMAGE).withUser("65534:65534").withCmd("python3", "-c", "print(1)")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none").withCapDrop(Capability.ALL))
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            Integer code = docker.waitContainerCmd(id).start().awaitStatusCode();
            if (code == null || code != 0) {
                throw new IllegalStateException("cold run exited " + code);
            }
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    // ---- footprint and refill ----------------------------------------------------------------------------------

    private void footprint(Path jar, int port) throws Exception {
        long started = System.nanoTime();
        try (App app = App.start(jar, port, extract("footprint-pools.yaml"))) {
            app.awaitReady(http, Duration.ofSeconds(180), Map.of("idle-a", 5, "idle-b", 5, "idle-c", 5));
            double readyMs = (System.nanoTime() - started) / 1e6;
            Thread.sleep(5_000); // let the JIT and the first probes settle before reading memory
            table.add("start-up to 3 pools x 5 ready members", "-", fmt(readyMs) + " ms", "-", "-",
                    "-", "-");
            table.add("resident memory, 3 pools x 5 idle members", "-", app.rssMiB() + " MiB", "-", "-",
                    "-", "-");
        }
    }

    /** A burst: every member leased and used (so each needs its clean-up or replacement), then all released. */
    private void refill(KeepAliveClient api, String pool, int members) throws Exception {
        List<String> leases = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            String id = post(api, "/v1/pools/" + pool + "/leases", "{}").path("id").asText();
            post(api, "/v1/leases/" + id + "/executions", PRINT_ONE);
            leases.add(id);
        }
        long started = System.nanoTime();
        for (String id : leases) {
            delete(api, "/v1/leases/" + id);
        }
        while (get(api, "/v1/pools/" + pool).path("ready").asInt() < members) {
            Thread.sleep(5);
        }
        double ms = (System.nanoTime() - started) / 1e6;
        table.add("refill: release all " + members + " of " + pool + " (each ran print(1)) until "
                + members + " ready", "-", fmt(ms) + " ms", "-", "-", "-", "-");
    }

    // ---- the E2B SDK ---------------------------------------------------------------------------------------------

    /**
     * The E2B rows against the pool bench (ready again after its refill), inserted from row {@code at}: warm
     * {@code run_code} over the bench's own client (the server's share), then the Python SDK's rows.
     */
    private void e2b(KeepAliveClient api, PythonSdkDriver sdk, URI e2b, int at) throws Exception {
        long started = System.nanoTime();
        try (E2bHttpSandbox sandbox = E2bHttpSandbox.create(api, "bench")) {
            // Load's warm-up makes the sandbox's default context, so the timed calls run in a warm one
            Load.Stats s = Load.run(1, SCENARIO_TIME, i -> sandbox.runCode("1+1", "2"));
            table.insert(at, row("E2B run_code(\"1+1\"), warm context, POST /execute, HTTP", 1, s));
            report("E2B run_code warm, HTTP", 1, s);
        }
        PythonSdkDriver.Result r = sdk.run(e2b, "bench", SDK_WARMUP, SDK_RUN_CODE_ITERATIONS, SDK_CREATE_ITERATIONS);
        table.insert(at + 1, row("E2B SDK run_code(\"1+1\"), warm context, Python loop", 1, r.runCode()));
        table.insert(at + 2, row("E2B SDK create + first run_code + kill, Python loop", 1, r.createRunKill()));
        report("E2B SDK run_code warm", 1, r.runCode());
        report("E2B SDK create + run_code + kill", 1, r.createRunKill());
        StringBuilder parts = new StringBuilder();
        r.createRunKillPartsP50().forEach((part, ms) -> parts.append(parts.isEmpty() ? "" : ", ").append(part)
                .append(' ').append(fmt(ms)).append(" ms"));
        System.out.printf(Locale.ROOT, "  E2B SDK create + run_code + kill, p50 of each part: %s; the E2B rows took "
                + "%.1f s%n", parts, (System.nanoTime() - started) / 1e9);
    }

    // ---- measuring ---------------------------------------------------------------------------------------------

    /** Runs {@code call} from {@code concurrency} threads for the scenario time and records a row. */
    private Load.Stats measure(String name, int concurrency, IntConsumer call) throws Exception {
        Load.Stats s = Load.run(concurrency, SCENARIO_TIME, call);
        table.add(row(name, concurrency, s));
        System.out.printf(Locale.ROOT, "  measured %-45s c=%-2d p50 %8s ms%n", name, concurrency, fmt(s.p50()));
        return s;
    }

    private String[] row(String name, int concurrency, Load.Stats s) {
        Double base = bareExecP50.get(concurrency);
        return new String[] {name, Integer.toString(concurrency), fmt(s.p50()) + " ms", fmt(s.p99()) + " ms",
                fmt(s.perSecond()) + "/s", base == null ? "-" : Table.ratio(s.p50(), base),
                s.count() + " ok, " + s.errors() + " errors"};
    }

    /** The console line of a row measured elsewhere, with its first error when it had any. */
    private static void report(String name, int concurrency, Load.Stats s) {
        System.out.printf(Locale.ROOT, "  measured %-45s c=%-2d p50 %8s ms%s%n", name, concurrency, fmt(s.p50()),
                s.errors() == 0 ? "" : ", " + s.errors() + " errors, first: " + s.firstError());
    }

    private static String fmt(double v) {
        return Table.fmt(v);
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    private static JsonNode post(KeepAliveClient api, String path, String body) {
        return expect(api.send("POST", path, body), 200, 201);
    }

    private static JsonNode get(KeepAliveClient api, String path) {
        return expect(api.send("GET", path, null), 200);
    }

    private static void delete(KeepAliveClient api, String path) {
        expect(api.send("DELETE", path, null), 204);
    }

    private static JsonNode expect(KeepAliveClient.Response r, int... ok) {
        if (java.util.Arrays.stream(ok).noneMatch(s -> s == r.status())) {
            throw new IllegalStateException(r.status() + " " + r.body());
        }
        try {
            return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode jdkSend(HttpRequest.Builder request, int... ok) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return expect(new KeepAliveClient.Response(r.statusCode(), r.body()), ok);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path extract(String resource) throws IOException {
        Path file = Files.createTempFile("sandboxpool-bench-", ".yaml");
        try (InputStream in = Benchmark.class.getResourceAsStream("/bench/" + resource)) {
            Files.write(file, in.readAllBytes());
        }
        file.toFile().deleteOnExit();
        return file;
    }

    /** The application in local mode as a child process, stopped (and its containers removed) on close. */
    private record App(ChildJvm jvm, int port) implements AutoCloseable {
        static App start(Path jar, int port, Path specs) throws IOException {
            return new App(ChildJvm.start("application", jar, "local", List.of("-Dmicronaut.server.port=" + port,
                    "-Dsandboxpool.local.specs=" + specs), Map.of()), port);
        }

        void awaitReady(HttpClient http, Duration timeout, Map<String, Integer> readyPerPool) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                jvm.checkAlive();
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/pools")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && allReady(JSON.readTree(r.body()), readyPerPool)) {
                        return;
                    }
                } catch (IOException notYet) {
                    // the server is not listening yet
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("pools not ready within " + timeout);
        }

        private static boolean allReady(JsonNode pools, Map<String, Integer> wanted) {
            int satisfied = 0;
            for (JsonNode p : pools) {
                Integer n = wanted.get(p.path("name").asText());
                if (n != null && p.path("ready").asInt() >= n) {
                    satisfied++;
                }
            }
            return satisfied == wanted.size();
        }

        long rssMiB() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + jvm.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
            throw new IllegalStateException("no VmRSS for " + jvm.pid());
        }

        @Override
        public void close() throws InterruptedException {
            jvm.close(); // SIGTERM: graceful shutdown removes the containers
        }
    }
}
