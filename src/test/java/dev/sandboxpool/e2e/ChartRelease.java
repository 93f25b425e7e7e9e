package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.testing.ApiClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The chart installed for real, with the helm binary, in a namespace of its own per test class: the operator and
 * the lease API run in the cluster, each in its Deployment under its own ServiceAccount, from the images
 * {@code ./sandboxpool e2e} loaded. After the class, the logs of every operator and API container are kept
 * ({@code target/e2e-logs/<namespace>.log}), the pools are deleted, the release is uninstalled, the namespace is
 * deleted, and the class fails if any log shows a call the API server refused (403): a rule the RBAC of either
 * ServiceAccount lacks.
 *
 * <p>The operator watches only the release namespace (the chart's default), so two runs or classes on one cluster do
 * not reconcile each other's pools.
 */
final class ChartRelease implements BeforeAllCallback, AfterAllCallback {
    static final String RELEASE = "sandbox-pool";
    /** The chart's resource names with this release name (fullname): the operator's Deployment and ServiceAccount. */
    static final String FULLNAME = "sandbox-pool";
    /** The lease API's Deployment and ServiceAccount. */
    static final String API_FULLNAME = FULLNAME + "-api";
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private final Map<String, String> values = new LinkedHashMap<>();
    private E2ESettings settings;
    private String namespace;
    private KubernetesClient client;
    private ContainerLogs logs;
    private PortForward forward;
    private Duration installDuration;
    private boolean installed;
    private boolean readyWhenHelmReturned;

    /** {@code --set} pairs on top of the harness's own (images, pull policy). */
    static ChartRelease withValues(String... keyValues) {
        ChartRelease r = new ChartRelease();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            r.values.put(keyValues[i], keyValues[i + 1]);
        }
        return r;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        settings = E2ESettings.get();
        String cls = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT).replace("e2e", "");
        namespace = ("e2e-" + cls).substring(0, Math.min(40, 4 + cls.length())) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        logs = new ContainerLogs(settings.logs().resolve(namespace + ".log"));
        client = new KubernetesClientBuilder().build();
        kubectlAnywhere("create", "namespace", namespace).ok();
        // Helm installs crds/ only when the CRD is absent and never updates it: apply it, as an upgrade would, so the
        // cluster has this checkout's CRD even after an older run.
        kubectlAnywhere("apply", "--server-side", "--force-conflicts", "-f",
                settings.chart().resolve("crds").toString()).ok();
        install();
    }

    /** helm install --wait, then the harness's own wait until the pods of both Deployments are all Ready. */
    void install() {
        install(Map.of());
    }

    /** The same with these {@code --set} pairs overriding the release's own (a second install after an uninstall). */
    void install(Map<String, String> overrides) {
        Instant start = Instant.now();
        List<String> command = new ArrayList<>(List.of("helm", "install", RELEASE, settings.chart().toString(),
                "--namespace", namespace, "--wait", "--timeout", INSTALL_TIMEOUT.toSeconds() + "s",
                "--set", "image.repository=" + settings.operatorRepository(),
                "--set-string", "image.tag=" + settings.operatorTag(),
                "--set", "image.pullPolicy=" + settings.pullPolicy(),
                "--set", "sandboxImage=" + settings.sandboxImage()));
        Map<String, String> set = new LinkedHashMap<>(values);
        set.putAll(overrides);
        set.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
        CommandLine.run(INSTALL_TIMEOUT.plusMinutes(1), command).ok();
        installed = true;
        readyWhenHelmReturned = deployments().stream().allMatch(name -> {
            Deployment atReturn = client.apps().deployments().inNamespace(namespace).withName(name).get();
            return atReturn != null && atReturn.getStatus().getReadyReplicas() != null
                    && atReturn.getStatus().getReadyReplicas().equals(atReturn.getSpec().getReplicas());
        });
        awaitReady();
        installDuration = Duration.between(start, Instant.now());
    }

    /** The release's Deployments: the operator's, and the API's unless the API runs in the operator process. */
    List<String> deployments() {
        return "true".equals(values.get("api.inProcess")) ? List.of(FULLNAME) : List.of(FULLNAME, API_FULLNAME);
    }

    /** Every replica of the operator and API Deployments Ready. */
    void awaitReady() {
        for (String name : deployments()) {
            await(name + " Deployment ready").atMost(INSTALL_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
                        assertThat(d).isNotNull();
                        assertThat(d.getStatus().getReadyReplicas()).isEqualTo(d.getSpec().getReplicas());
                        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(d.getSpec().getReplicas());
                    });
        }
    }

    /** Whether every operator and API pod was Ready the moment helm install --wait returned. */
    boolean readyWhenHelmReturned() {
        return readyWhenHelmReturned;
    }

    String namespace() {
        return namespace;
    }

    KubernetesClient client() {
        return client;
    }

    /** From the start of helm install to every operator and API pod Ready. */
    Duration installDuration() {
        return installDuration;
    }

    /** The API token from the Secret the chart generated. */
    String token() {
        String encoded = client.secrets().inNamespace(namespace).withName(FULLNAME + "-api-token").get().getData()
                .get("token");
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    /** The lease API through the Service, with the token; the forward is reopened when its pod went. */
    synchronized ApiClient api() {
        return new ApiClient(apiUri(), token());
    }

    synchronized java.net.URI apiUri() {
        if (forward == null || !forward.alive()) {
            if (forward != null) {
                forward.close();
            }
            forward = PortForward.open(namespace, "svc/" + FULLNAME, 8080);
        }
        return forward.uri();
    }

    /** kubectl in the release namespace. */
    CommandLine.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "-n", namespace));
        command.addAll(List.of(args));
        return CommandLine.run(COMMAND_TIMEOUT, command);
    }

    CommandLine.Result kubectlAnywhere(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        return CommandLine.run(COMMAND_TIMEOUT, command);
    }

    /** kubectl apply of a manifest, as a user applies a file. */
    CommandLine.Result apply(String yaml) {
        try {
            Path file = Files.createTempFile("e2e-manifest", ".yaml");
            try {
                Files.writeString(file, yaml);
                return kubectl("apply", "-f", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SandboxPool pool(String name) {
        return client.resources(SandboxPool.class).inNamespace(namespace).withName(name).get();
    }

    List<Pod> members(String pool) {
        return client.pods().inNamespace(namespace).withLabel("sandboxpool.dev/pool", pool).list().getItems();
    }

    /** The operator pods of the release. */
    List<Pod> operatorPods() {
        return podsOf("operator");
    }

    /** The lease API pods of the release. */
    List<Pod> apiPods() {
        return podsOf("api");
    }

    private List<Pod> podsOf(String component) {
        return client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", RELEASE)
                .withLabel("app.kubernetes.io/component", component).list().getItems();
    }

    /**
     * Whether {@code serviceAccount} of the release namespace may do this, as the real API server's RBAC says.
     *
     * @param resource a resource, with its subresource after a slash ({@code pods/exec})
     */
    boolean canI(String serviceAccount, String verb, String resource, String inNamespace) {
        // kubectl auth can-i reads TYPE/NAME: a subresource goes in --subresource
        int slash = resource.indexOf('/');
        List<String> command = new ArrayList<>(List.of("auth", "can-i", verb,
                slash < 0 ? resource : resource.substring(0, slash), "-n", inNamespace,
                "--as=system:serviceaccount:" + namespace + ":" + serviceAccount));
        if (slash >= 0) {
            command.add("--subresource=" + resource.substring(slash + 1));
        }
        CommandLine.Result answer = kubectlAnywhere(command.toArray(String[]::new));
        // can-i exits 0 for yes and 1 for no; anything else is an error, not an answer
        assertThat(answer.exitCode()).as("kubectl auth can-i: %s", answer.output()).isIn(0, 1);
        return answer.exitCode() == 0;
    }

    /**
     * Keeps the logs of every container of the operator and API pods now, before anything removes those pods (a
     * scale-down, an uninstall); logs of a container that restarted include its previous run.
     */
    void collectLogs(String moment) {
        for (Pod pod : client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", RELEASE).list()
                .getItems()) {
            String name = pod.getMetadata().getName();
            for (var status : pod.getStatus().getContainerStatuses()) {
                String container = status.getName();
                if (status.getRestartCount() != null && status.getRestartCount() > 0) {
                    logs.add(moment + " " + name + "/" + container + " (previous)",
                            kubectl("logs", name, "-c", container, "--previous").output());
                }
                logs.add(moment + " " + name + "/" + container, kubectl("logs", name, "-c", container).output());
            }
        }
    }

    /** helm uninstall --wait, after keeping the logs; the pools are left as they are. */
    CommandLine.Result uninstall() {
        collectLogs("before uninstall");
        closeForward();
        installed = false;
        return CommandLine.run(COMMAND_TIMEOUT,
                List.of("helm", "uninstall", RELEASE, "--namespace", namespace, "--wait", "--timeout", "3m"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (installed) {
                collectLogs("after " + context.getRequiredTestClass().getSimpleName());
                // pools first, while the operator runs, as docs/install.md says
                kubectl("delete", "sandboxpools", "--all", "--wait", "--timeout=2m");
                uninstall().ok();
            }
            CommandLine.Result gone = kubectlAnywhere("delete", "namespace", namespace, "--wait", "--timeout=3m");
            assertThat(gone.exitCode()).as("namespace %s deleted: %s", namespace, gone.output()).isZero();
        } finally {
            closeForward();
            client.close();
        }
        assertThat(logs.refusals()).as("calls the API server refused, in %s", logs.file()).isEmpty();
    }

    private void closeForward() {
        if (forward != null) {
            forward.close();
            forward = null;
        }
    }
}
