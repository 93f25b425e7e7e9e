package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kubectl port-forward svc/NAME :PORT}, as the install guide tells users: the only way to a Service on clusters
 * without kube-proxy (realk8s) and the usual one on kind. The local port is picked by kubectl and read from its
 * first line.
 */
final class PortForward implements AutoCloseable {
    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) ->");
    private final Process process;
    private final URI uri;

    private PortForward(Process process, URI uri) {
        this.process = process;
        this.uri = uri;
    }

    static PortForward open(String namespace, String target, int remotePort) {
        List<String> command = List.of("kubectl", "-n", namespace, "port-forward", target, ":" + remotePort);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder seen = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    // keeps draining after the first line, so kubectl never blocks on a full pipe
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (seen) {
                            seen.append(line).append('\n');
                        }
                        Matcher m = FORWARDING.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    port.completeExceptionally(e);
                }
                port.completeExceptionally(new IOException("kubectl port-forward ended"));
            }, "port-forward-" + target);
            reader.setDaemon(true);
            reader.start();
            try {
                return new PortForward(p, URI.create("http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS) + "/"));
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
                synchronized (seen) {
                    return fail("%s did not forward: %s%n%s", String.join(" ", command), e, seen);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI uri() {
        return uri;
    }

    /** kubectl ends the forward when the pod behind it goes (an operator pod replaced). */
    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
