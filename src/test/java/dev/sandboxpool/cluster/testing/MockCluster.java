package dev.sandboxpool.cluster.testing;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Fabric8 mock API server in CRUD mode with the SandboxPool CRD installed (so status is a subresource), the exec
 * API answered by {@link FakeExec}, and a record of what the product's clients sent. Clients from
 * {@link #newClient(String)} (and any the product builds itself under {@link StandardClusterLookup}) act as one
 * process of the product each, the operator or a lease API replica, and name it in their user agent, so the record
 * says which process made each call (each has its own ServiceAccount in the chart); the {@link #harness()} client
 * acts for the test and the simulated kubelet, and is not recorded.
 */
public final class MockCluster implements AutoCloseable {
    public static final String NAMESPACE = "test";
    /** The process a client acts as: the operator (its calls include the lease API's when that runs in process). */
    public static final String OPERATOR = "operator";
    /** The process a client acts as: a lease API replica. */
    public static final String API = "api";
    private static final String HARNESS = "harness";
    private static final String USER_AGENT_PREFIX = "sandboxpool-test/";
    private static final String RULES_REVIEW = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    private final KubernetesMockServer server;
    private final FakeExec exec = new FakeExec();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final KubernetesClient harness;
    private final KubernetesMixedDispatcher crud;
    private final List<Predicate<RecordedRequest>> answersToLose = new CopyOnWriteArrayList<>();
    private volatile Predicate<RecordedRequest> outage = r -> false;

    /** One request of a product client, with the status it got. */
    public record Sent(String method, String path, int status) {
        public String call() {
            return ApiCallLog.rbac(method, path);
        }
    }

    public MockCluster() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        crud = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse response = refused(request) ? unavailable()
                        : request.getPath().contains("/exec?") ? exec(request)
                        : request.getPath().startsWith(RULES_REVIEW) ? allowEverything()
                        : loseAnswer(request) ? lost(crud.dispatch(request))
                        : crud.dispatch(request);
                String process = process(request);
                if (!HARNESS.equals(process)) {
                    ApiCallLog.record(process, request.getMethod(), request.getPath());
                    sent.add(new Sent(request.getMethod(), request.getPath(), response.code()));
                }
                return response;
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init();
        harness = client(HARNESS);
        installCrd();
    }

    /**
     * The operator checks its permissions before it runs for leadership; the mock server cannot review rules, so
     * it is told everything is allowed (what a cluster with the chart's RBAC answers for the rules it needs).
     */
    private static MockResponse allowEverything() {
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody("""
                {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},
                 "spec":{},"status":{"incomplete":false,"nonResourceRules":[],
                 "resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}}""");
    }

    /**
     * From now on (until {@link #endOutage}) every request of the product gets a 503, as from an API server that is
     * restarting or overloaded; the test's own requests still go through.
     */
    public void startOutage() {
        startOutage(r -> true);
    }

    /** The same for the product's requests that match only. */
    public void startOutage(Predicate<RecordedRequest> refusing) {
        outage = refusing;
    }

    public void endOutage() {
        outage = r -> false;
    }

    /** A product request that lists or watches pods. */
    public static Predicate<RecordedRequest> podListing() {
        return r -> "GET".equals(r.getMethod()) && r.getPath().startsWith("/api/v1/namespaces/" + NAMESPACE + "/pods?");
    }

    private boolean refused(RecordedRequest request) {
        return !HARNESS.equals(process(request)) && outage.test(request);
    }

    private static MockResponse unavailable() {
        return new MockResponse().setResponseCode(503).setHeader("Content-Type", "application/json").setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
                        + "\"ServiceUnavailable\",\"message\":\"the API server is not available\",\"code\":503}");
    }

    /**
     * The next request of the product that matches is carried out, and its answer lost on the way back: a 504, as a
     * proxy's timeout after the API server wrote. The client cannot tell whether it was applied.
     */
    public void loseTheAnswerToNext(Predicate<RecordedRequest> matching) {
        answersToLose.add(matching);
    }

    /** A product request to pods, written with PUT, whose body contains {@code text}. */
    public static Predicate<RecordedRequest> podUpdateContaining(String text) {
        return r -> "PUT".equals(r.getMethod()) && r.getPath().startsWith("/api/v1/namespaces/" + NAMESPACE + "/pods/")
                && new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8).contains(text);
    }

    private boolean loseAnswer(RecordedRequest request) {
        if (HARNESS.equals(process(request))) {
            return false;
        }
        for (Predicate<RecordedRequest> p : answersToLose) {
            if (p.test(request) && answersToLose.remove(p)) {
                return true;
            }
        }
        return false;
    }

    private static MockResponse lost(MockResponse applied) {
        return new MockResponse().setResponseCode(504).setHeader("Content-Type", "application/json").setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Timeout\","
                        + "\"message\":\"the answer was lost (applied: " + applied.code() + ")\",\"code\":504}");
    }

    /** An exec into a pod the API server has; otherwise its 404, as a real API server answers. */
    private MockResponse exec(RecordedRequest request) {
        String pod = request.getPath().substring(0, request.getPath().indexOf("/exec?"));
        MockResponse found = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, pod,
                Headers.builder().build(), new Buffer()));
        return found.code() == 200 ? exec.upgrade(request.getPath()) : found;
    }

    /**
     * A client as one process of the product would have: its requests are recorded as that process's.
     *
     * @param process {@link #OPERATOR} or {@link #API}
     */
    public KubernetesClient newClient(String process) {
        KubernetesClient client = client(process);
        clients.add(client);
        return client;
    }

    /** The user agent of a client acting as {@code process}. */
    public static String userAgent(String process) {
        return USER_AGENT_PREFIX + process;
    }

    /** The process that sent a request, from its user agent; a client that names none shows as its user agent. */
    private static String process(RecordedRequest request) {
        String agent = String.valueOf(request.getHeader("User-Agent"));
        return agent.startsWith(USER_AGENT_PREFIX) ? agent.substring(USER_AGENT_PREFIX.length()) : agent;
    }

    /** The test's own client (setup, assertions, the simulated kubelet). */
    public KubernetesClient harness() {
        return harness;
    }

    public FakeExec exec() {
        return exec;
    }

    /** The mock server's URL, for code that finds the cluster the standard way. */
    public String url() {
        return server.url("/");
    }

    /** Requests the product sent so far that match. */
    public List<Sent> sent(Predicate<Sent> matching) {
        return sent.stream().filter(matching).toList();
    }

    public SandboxPool createPool(String name, SandboxPoolSpec spec) {
        SandboxPool pool = new SandboxPool(name, spec);
        pool.getMetadata().setNamespace(NAMESPACE);
        return harness.resources(SandboxPool.class).inNamespace(NAMESPACE).resource(pool).create();
    }

    public SandboxPool pool(String name) {
        return harness.resources(SandboxPool.class).inNamespace(NAMESPACE).withName(name).get();
    }

    /** A spec with the image and sizes given and quick timings, as tests want them. */
    public static SandboxPoolSpec spec(int minSize, int maxSize) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:test");
        spec.setMinSize(minSize);
        spec.setMaxSize(maxSize);
        spec.getHealthProbe().setPeriod("1s");
        return spec;
    }

    private KubernetesClient client(String process) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url("/"))
                .withNamespace(NAMESPACE)
                .withTrustCerts(true)
                .withUserAgent(userAgent(process))
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The generated CRD: the committed copy in crds/ when there is one, else the build's. */
    private void installCrd() {
        Path committed = Path.of("crds", "sandboxpools.sandboxpool.dev-v1.yml");
        Path generated = Path.of("target", "classes", "META-INF", "fabric8", "sandboxpools.sandboxpool.dev-v1.yml");
        Path file = Files.exists(committed) ? committed : generated;
        CustomResourceDefinition crd = harness.apiextensions().v1().customResourceDefinitions()
                .load(file.toFile()).item();
        harness.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    @Override
    public void close() {
        clients.forEach(KubernetesClient::close);
        harness.close();
        server.destroy();
        ApiCallLog.write();
    }
}
