package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.api.v1alpha1.SandboxPool;
import dev.sandboxpool.backend.AttachedProcess;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.backend.SandboxGoneException;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.spec.PoolSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.TtyExecOutputErrorable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Members of one SandboxPool as pods in its namespace; commands run through the Kubernetes exec API, so
 * {@link dev.sandboxpool.execution.ExecRunner} works on pods exactly as on Docker containers, and a persistent runner
 * is one exec stream kept open ({@link #attach}). Ids are pod names.
 */
public class KubernetesBackend implements SandboxBackend {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Time for the last output frames and the close after the exit status arrived. */
    private static final long CLOSE_GRACE_MS = 2_000;

    private final KubernetesClient client;
    private final SandboxPool owner;
    private final Clock clock;

    public KubernetesBackend(KubernetesClient client, SandboxPool owner, Clock clock) {
        this.client = client;
        this.owner = owner;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    private String namespace() {
        return owner.getMetadata().getNamespace();
    }

    /** Creates the member's pod. The returned pod is what the API server stored. */
    public Pod createPod(PoolSettings s) {
        String name = s.name() + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
        Pod pod = SandboxPodFactory.build(owner, s, name, clock.instant());
        try {
            return client.pods().inNamespace(namespace()).resource(pod).create();
        } catch (KubernetesClientException e) {
            throw new BackendException("cannot create pod " + name + " in " + namespace() + ": " + ApiErrors.reason(e),
                    e);
        }
    }

    @Override
    public SandboxRef create(PoolSettings s) {
        return toRef(new MemberPod(createPod(s)));
    }

    @Override
    public List<SandboxRef> list(String pool) {
        try {
            return client.pods().inNamespace(namespace()).withLabels(SandboxPodFactory.memberLabels(pool)).list()
                    .getItems().stream().map(p -> toRef(new MemberPod(p))).toList();
        } catch (KubernetesClientException e) {
            throw new BackendException("cannot list pods of pool " + pool + ": " + ApiErrors.reason(e), e);
        }
    }

    private static SandboxRef toRef(MemberPod m) {
        boolean running = !m.gone() && m.pod().getStatus() != null && "Running".equals(m.pod().getStatus().getPhase());
        return new SandboxRef(m.name(), m.name(), m.pool(), m.specHash(), m.createdAt(), running);
    }

    @Override
    public void destroy(String id) {
        try {
            client.pods().inNamespace(namespace()).withName(id).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw new BackendException("cannot delete pod " + id + ": " + ApiErrors.reason(e), e);
            }
        }
    }

    @Override
    public ExecOutput exec(String id, ExecCall requested) {
        ExecCall call = StdinScript.compact(requested);
        BoundedOutput out = new BoundedOutput(call.maxOutputBytes());
        BoundedOutput err = new BoundedOutput(call.maxOutputBytes());
        ExecEnd end = new ExecEnd();
        // readiness is not awaited: an exec into a pod that is not running fails at once and says so
        ContainerResource container = client.pods().inNamespace(namespace()).withName(id)
                .inContainer(MemberPod.CONTAINER).withReadyWaitTimeout(0);
        boolean stdin = call.stdin().length > 0;
        TtyExecOutputErrorable input = stdin ? container.redirectingInput() : container;
        try (ExecWatch watch = input.writingOutput(out).writingError(err).usingListener(end)
                .exec(call.command().toArray(String[]::new))) {
            if (stdin) {
                // the runner reads a length-framed request, so stdin never needs closing (v4 exec cannot close it)
                watch.getInput().write(call.stdin());
                watch.getInput().flush();
            }
            CompletableFuture<Object> finished = CompletableFuture.anyOf(end.closed, out.overflowed(),
                    err.overflowed());
            try {
                finished.get(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return new ExecOutput(null, out.toByteArray(), err.toByteArray(), true, false);
            }
            if (out.overflowed().isDone() || err.overflowed().isDone()) {
                return new ExecOutput(null, out.toByteArray(), err.toByteArray(), false, true);
            }
            // the exit status comes on its own channel just before the close; wait for it a moment if it lags
            Integer exitCode = watch.exitCode().completeOnTimeout(null, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS).get();
            return new ExecOutput(exitCode, out.toByteArray(), err.toByteArray(), false, false);
        } catch (ExecutionException e) {
            throw failure(id, e.getCause());
        } catch (KubernetesClientException e) {
            throw failure(id, e);
        } catch (IOException e) {
            throw new BackendException("cannot send stdin to " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while running in " + id, e);
        }
    }

    /**
     * The persistent runner's channel in a pod: one exec with stdin held open, its output streamed to the listener.
     * A long script goes first over stdin (see {@link StdinScript}), then the requests.
     */
    @Override
    public Optional<AttachedProcess> attach(String id, List<String> command, AttachedProcess.Listener listener) {
        ExecCall call = StdinScript.compact(new ExecCall(command, null, Duration.ZERO, 0));
        ExecWatch watch;
        try {
            watch = client.pods().inNamespace(namespace()).withName(id).inContainer(MemberPod.CONTAINER)
                    .withReadyWaitTimeout(0).redirectingInput()
                    .writingOutput(new Forwarding(listener::stdout))
                    .writingError(new Forwarding(listener::stderr))
                    .usingListener(new ExecListener() {
                        /** The kubelet reported the runner's exit: the stream ended because the runner did. */
                        private volatile boolean exited;

                        @Override
                        public void onExit(int code, Status status) {
                            exited = true;
                        }

                        @Override
                        public void onClose(int code, String reason) {
                            listener.closed(exited ? null : new BackendException("the exec stream to pod " + id
                                    + " closed before the runner exited (" + code + " " + reason + ")"));
                        }

                        @Override
                        public void onFailure(Throwable t, Response failureResponse) {
                            listener.closed(t);
                        }
                    })
                    .exec(call.command().toArray(String[]::new));
        } catch (KubernetesClientException e) {
            throw failure(id, e);
        }
        return Optional.of(new AttachedProcess() {
            /** The script, sent with the first request: see below. */
            private byte[] prefix = call.stdin();

            /**
             * One websocket message per call. The JDK websocket refuses a message while the previous one is still
             * being sent (and the exec then fails for good), so the script never goes alone right before the first
             * request; later requests follow the previous answer, long after its message went out.
             */
            @Override
            public synchronized void write(byte[] data) {
                byte[] message = data;
                if (prefix.length > 0) {
                    message = Arrays.copyOf(prefix, prefix.length + data.length);
                    System.arraycopy(data, 0, message, prefix.length, data.length);
                    prefix = new byte[0];
                }
                try {
                    watch.getInput().write(message);
                    watch.getInput().flush();
                } catch (IOException | KubernetesClientException e) {
                    // the client reports a closed websocket as an unchecked exception
                    throw new BackendException("cannot write to the runner in pod " + id + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                watch.close();
            }
        });
    }

    /** Hands each chunk the websocket delivers to a listener, as it comes. */
    private static final class Forwarding extends OutputStream {
        private final Consumer<byte[]> to;

        Forwarding(Consumer<byte[]> to) {
            this.to = to;
        }

        @Override
        public void write(int b) {
            to.accept(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            to.accept(Arrays.copyOfRange(b, off, off + len));
        }
    }

    private static BackendException failure(String id, Throwable cause) {
        int code = cause instanceof KubernetesClientException k ? k.getCode() : 0;
        if (code == HttpURLConnection.HTTP_NOT_FOUND) {
            return new SandboxGoneException(id, cause);
        }
        return new BackendException("exec in pod " + id + " failed: " + cause.getMessage(), cause);
    }

    /** Completes when the exec's websocket closes: after every output frame was written to the streams. */
    private static final class ExecEnd implements ExecListener {
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public void onClose(int code, String reason) {
            closed.complete(null);
        }

        @Override
        public void onFailure(Throwable t, Response failureResponse) {
            int code = failureResponse == null ? 0 : failureResponse.code();
            closed.completeExceptionally(new KubernetesClientException(
                    "exec failed" + (code == 0 ? "" : " (HTTP " + code + ")") + ": " + t.getMessage(), code, null));
        }
    }
}
