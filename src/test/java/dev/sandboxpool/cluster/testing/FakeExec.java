package dev.sandboxpool.cluster.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.execution.SandboxScripts;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The container side of the Kubernetes exec API for the mock server (which has no kubelet): answers the websocket
 * exec protocol (channel byte 0 stdin, 1 stdout, 2 stderr, 3 status) by running the command as a local process.
 * The in-sandbox runner really runs executions and pings (in a temporary work dir); its clean-up, which kills every
 * process it may signal, is only pretended: it answers clean, or fails for pods told to (also the clean-up a
 * one-shot execution asks for in its run request). Persistent runners (many requests on one stream) are served too. Scripts sent over stdin
 * (see {@code StdinScript}) are unpacked first, so the runner is recognised whichever way it came.
 */
public final class FakeExec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUNNER = SandboxScripts.scriptOf(SandboxScripts.runnerCommand());
    /** A shell is PID 1 (as the init process is in a sandbox), so the command can be signalled like in a pod. */
    private static final List<String> CONTAIN = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
            "sh", "-c", "\"$@\"; exit $?", "sh");

    private final List<String> cleaned = new CopyOnWriteArrayList<>();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Map<String, Path> workdirs = new ConcurrentHashMap<>();
    private final Set<String> dirtyPods = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Void>> heldRunners = new ConcurrentHashMap<>();
    private volatile boolean enforcesNetworkPolicy;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-exec");
        t.setDaemon(true);
        return t;
    });

    /**
     * Sandbox code kills freely: the runner's timeout path SIGKILLs every process it may signal (kill(-1)), which
     * run as root on the test machine is every process there. So each command runs in its own PID namespace,
     * where kill(-1) reaches only that namespace, and dies with it.
     */
    private static List<String> contained(List<String> command, boolean ownNetwork) {
        List<String> wrapped = new ArrayList<>(CONTAIN);
        if (ownNetwork) {
            // a fresh network namespace, its loopback down: no address of this machine answers, as from a pod
            // behind a deny-all NetworkPolicy that the network plugin enforces
            wrapped.add(1, "--net");
        }
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * A sandbox command as a process of this machine: the product's interpreter is the machine's python3 here, and
     * the runner is told it runs without the isolation it checks for in a sandbox (as root, from a readable file).
     */
    private ProcessBuilder local(List<String> command) {
        String script = SandboxScripts.scriptOf(command);
        if (script == null) {
            return new ProcessBuilder(contained(command, enforcesNetworkPolicy));
        }
        List<String> local = new ArrayList<>(List.of("python3", "-I", "-c", script));
        local.addAll(SandboxScripts.argsOf(command));
        ProcessBuilder b = new ProcessBuilder(contained(local, enforcesNetworkPolicy));
        // Only the product's runner, recognised whole, is let run without its isolation checks. Anything else that
        // came as a script (a runner this double failed to recognise, say, after a change of its encoding) then
        // refuses to run as root here instead of cleaning this machine's /tmp, /dev/shm and /dev/mqueue: that
        // happened once, before this check.
        if (RUNNER.equals(script)) {
            b.environment().put("SANDBOXPOOL_TEST_UNISOLATED_RUNNER", "1");
        }
        return b;
    }

    /**
     * From now on, sandbox commands run without this machine's network, as behind a network plugin that enforces
     * NetworkPolicy; by default they share it, as with one that does not (the mock API server is reachable).
     */
    public void enforceNetworkPolicy(boolean enforce) {
        enforcesNetworkPolicy = enforce;
    }

    public FakeExec() {
        try {
            Process probe = new ProcessBuilder(contained(List.of("sh", "-c", "test $PPID = 1"), false)).start();
            if (probe.waitFor() != 0) {
                throw new IllegalStateException("FakeExec runs sandbox commands in their own PID namespace, and "
                        + "'unshare --pid --fork' does not give one here (exit " + probe.exitValue() + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException("FakeExec needs unshare (util-linux) to contain sandbox commands", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking for PID namespaces", e);
        }
    }

    /**
     * Kills the persistent runners attached to {@code pod}, as a clean-up by another process would (it kills every
     * process but PID 1 and the runner doing it).
     */
    public void killRunnersOf(String pod) {
        for (Session s : sessions) {
            Process p = s.process;
            if (s.pod.equals(pod) && s.serving() && p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /**
     * Cuts the persistent runner streams of {@code pod} as a proxy's idle timeout would: the websocket closes without
     * the runner's exit status (the runner then ends with its stdin). Returns once the client has seen the close.
     */
    public void dropStreamsOf(String pod) {
        for (Session s : sessions) {
            if (s.pod.equals(pod) && s.serving() && s.process != null && s.process.isAlive()) {
                s.dropped = true;
                s.ws.close(1001, "idle timeout");
                s.closedByClient.join();
            }
        }
    }

    /**
     * Persistent runners opened to {@code pod} from now on answer nothing (not even the ping that ends their opening)
     * until the returned future is completed: a runner still starting, as on a slow node.
     */
    public CompletableFuture<Void> holdRunnersOf(String pod) {
        return heldRunners.computeIfAbsent(pod, p -> new CompletableFuture<>());
    }

    /** Persistent runner streams opened so far, per pod. */
    public long runnerStreamsOpenedTo(String pod) {
        return sessions.stream().filter(s -> s.pod.equals(pod) && s.serving()).count();
    }

    /** The pod's work dir: one per pod, kept across execs, as /workspace is in a pod. */
    private Path workdirOf(String pod) {
        return workdirs.computeIfAbsent(pod, p -> {
            try {
                return Files.createTempDirectory("fake-exec-" + p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** What a clean-up does to the work dir (the rest of it, killing every process, is not done here). */
    private void emptyWorkdirOf(String pod) {
        try (var left = Files.list(workdirOf(pod))) {
            for (Path p : left.toList()) {
                try (var tree = Files.walk(p)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pods whose clean-up fails from now on. */
    public void failCleanupOf(String pod) {
        dirtyPods.add(pod);
    }

    /** Pods cleaned so far, in order. */
    public List<String> cleaned() {
        return List.copyOf(cleaned);
    }

    /** Commands as they came in the exec URLs. */
    public List<List<String>> commands() {
        return List.copyOf(commands);
    }

    MockResponse upgrade(String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String[] path = uri.getPath().split("/");
        String pod = path[path.length - 2];
        List<String> command = new ArrayList<>();
        for (String param : uri.getRawQuery().split("&")) {
            if (param.startsWith("command=")) {
                command.add(URLDecoder.decode(param.substring("command=".length()), StandardCharsets.UTF_8));
            }
        }
        commands.add(command);
        Session session = new Session(pod, command);
        sessions.add(session);
        return new MockResponse().withWebSocketUpgrade(session);
    }

    /** One exec: a local process wired to the websocket. All but the socket callbacks run on one thread. */
    private final class Session extends WebSocketListener {
        final String pod;
        final List<String> requested;
        /** One thread at a time, gone when idle: callbacks may still come after the exec ended. */
        final ThreadPoolExecutor serial = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "fake-exec-session");
                    t.setDaemon(true);
                    return t;
                });
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        /** Set by whichever callback comes first: a message may be delivered before the open callback has run. */
        volatile WebSocket ws;
        volatile List<String> command;
        volatile Process process;
        /** Cut on purpose ({@link #dropStreamsOf}): no exit status is sent. */
        volatile boolean dropped;
        /** The client answered the close: it has seen the stream end. */
        final CompletableFuture<Void> closedByClient = new CompletableFuture<>();
        /** The nonce of a run whose answer must say it was cleaned up after. */
        volatile String cleanWithAnswerTo;
        Path workdir;
        boolean runnerRequestHandled;

        Session(String pod, List<String> requested) {
            this.pod = pod;
            this.requested = requested;
            serial.allowCoreThreadTimeOut(true);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            this.ws = ws;
            serial.execute(() -> {
                String script = SandboxScripts.scriptOf(requested);
                boolean scriptOnStdin = script != null && script.startsWith("import sys;n=int(");
                if (!scriptOnStdin) {
                    begin(requested);
                }
            });
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            onMessage(ws, bytes.toByteArray());
        }

        @Override
        public void onMessage(WebSocket ws, byte[] message) {
            this.ws = ws;
            if (message.length == 0 || message[0] != 0) {
                return; // resize and stream-close signals: nothing to do for a pipe
            }
            byte[] data = Arrays.copyOfRange(message, 1, message.length);
            serial.execute(() -> stdin(data));
        }

        private void stdin(byte[] data) {
            pending.writeBytes(data);
            if (command == null) {
                byte[] script = takeFrame();
                if (script == null) {
                    return;
                }
                begin(SandboxScripts.python(new String(script, StandardCharsets.UTF_8),
                        SandboxScripts.argsOf(requested)));
            }
            if (!RUNNER.equals(SandboxScripts.scriptOf(command))) {
                if (process != null) {
                    write(pending.toByteArray());
                    pending.reset();
                }
                return;
            }
            if (serving()) {
                CompletableFuture<Void> hold = heldRunners.get(pod);
                if (hold != null) {
                    hold.join();
                }
                for (byte[] request = takeFrame(); request != null; request = takeFrame()) {
                    answerRunner(request);
                }
                return;
            }
            if (!runnerRequestHandled) {
                byte[] request = takeFrame();
                if (request != null) {
                    runnerRequestHandled = true;
                    answerRunner(request);
                }
            }
        }

        /** A persistent runner (kept attached, many requests on one stream) rather than one request per exec. */
        boolean serving() {
            return command != null && RUNNER.equals(SandboxScripts.scriptOf(command))
                    && SandboxScripts.argsOf(command).equals(List.of("serve"));
        }

        /** The runner's clean-up is pretended; runs and pings go to a real runner (one, for a serving session). */
        private void answerRunner(byte[] frame) {
            ObjectNode request;
            try {
                request = (ObjectNode) JSON.readTree(frame);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if ("clean".equals(request.path("op").asText())) {
                boolean dirty = dirtyPods.contains(pod);
                if (!dirty) {
                    emptyWorkdirOf(pod);
                    cleaned.add(pod);
                }
                String answer = dirty ? "{\"clean\": false, \"error\": \"processes survived: 42\"}"
                        : "{\"clean\": true}";
                send(1, (request.path("nonce").asText() + " " + answer + "\n").getBytes(StandardCharsets.UTF_8));
                if (!serving()) {
                    finish(0);
                }
                return;
            }
            if (process == null && !start(command)) {
                return;
            }
            // the request names the sandbox's work dir; here it is a temporary one
            request.put("workdir", workdir.toString());
            if (request.remove("cleanAfter") != null && !dirtyPods.contains(pod)) {
                // a one-shot execution's clean-up is pretended like any other (the real one would empty this
                // machine's /tmp and find every process of the machine alive): the work dir is emptied and the
                // answer says cleaned. For pods told to fail it is left out, and the pool cleans again.
                cleanWithAnswerTo = request.path("nonce").asText();
            }
            try {
                write(frame(JSON.writeValueAsBytes(request)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void begin(List<String> effective) {
            command = effective;
            if (!RUNNER.equals(SandboxScripts.scriptOf(effective))) {
                start(effective);
            }
        }

        /** Starts the command as a local process; false (and the exec ended) when it cannot start. */
        private boolean start(List<String> effective) {
            try {
                workdir = workdirOf(pod);
                process = local(effective).directory(workdir.toFile()).start();
            } catch (IOException e) {
                send(2, e.getMessage().getBytes(StandardCharsets.UTF_8));
                finish(127);
                return false;
            }
            Process p = process;
            CompletableFuture<Void> stderr = CompletableFuture.runAsync(() -> pump(p.getErrorStream(), 2), threads);
            threads.execute(() -> {
                if (serving()) {
                    answers(p.getInputStream());
                } else {
                    pump(p.getInputStream(), 1);
                }
                stderr.join();
                try {
                    int code = p.waitFor();
                    serial.execute(() -> finish(code));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return true;
        }

        /** A length-framed message from the start of what stdin brought so far, or null while incomplete. */
        private byte[] takeFrame() {
            byte[] bytes = pending.toByteArray();
            int newline = -1;
            for (int i = 0; i < bytes.length && newline < 0; i++) {
                newline = bytes[i] == '\n' ? i : -1;
            }
            if (newline < 0) {
                return null;
            }
            int length = Integer.parseInt(new String(bytes, 0, newline, StandardCharsets.US_ASCII).trim());
            if (bytes.length - newline - 1 < length) {
                return null;
            }
            pending.reset();
            pending.write(bytes, newline + 1 + length, bytes.length - newline - 1 - length);
            return Arrays.copyOfRange(bytes, newline + 1, newline + 1 + length);
        }

        private static byte[] frame(byte[] body) {
            byte[] header = (body.length + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] out = Arrays.copyOf(header, header.length + body.length);
            System.arraycopy(body, 0, out, header.length, body.length);
            return out;
        }

        private void write(byte[] data) {
            try {
                process.getOutputStream().write(data);
                process.getOutputStream().flush();
            } catch (IOException e) {
                // the process is gone (killed, as user code may kill a runner): its end closes the exec
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            kill();
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            closedByClient.complete(null);
            kill();
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            kill();
        }

        private void kill() {
            serial.execute(() -> {
                if (process != null) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            });
        }

        /** A persistent runner's stdout, one answer per line, with the pretended clean-up of a one-shot added. */
        private void answers(InputStream from) {
            try {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                for (int b = from.read(); b >= 0; b = from.read()) {
                    line.write(b);
                    if (b == '\n') {
                        send(1, cleanedIfAsked(line.toByteArray()));
                        line.reset();
                    }
                }
            } catch (IOException e) {
                // the process was killed: its streams end here
            }
        }

        private byte[] cleanedIfAsked(byte[] line) throws IOException {
            String nonce = cleanWithAnswerTo;
            String text = new String(line, StandardCharsets.UTF_8);
            if (nonce == null || !text.startsWith(nonce + " ")) {
                return line;
            }
            cleanWithAnswerTo = null;
            ObjectNode answer = (ObjectNode) JSON.readTree(text.substring(nonce.length() + 1));
            emptyWorkdirOf(pod);
            cleaned.add(pod);
            answer.put("cleaned", true);
            return (nonce + " " + JSON.writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8);
        }

        private void pump(InputStream from, int channel) {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = from.read(buffer)) > 0) {
                    send(channel, Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                // the process was killed (the client went away): its streams end here
            }
        }

        private void finish(int exitCode) {
            if (dropped) {
                return;
            }
            String status = exitCode == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                    : "{\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\","
                            + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + exitCode + "\"}]}}";
            send(3, status.getBytes(StandardCharsets.UTF_8));
            ws.close(1000, "");
        }

        private void send(int channel, byte[] data) {
            byte[] message = new byte[data.length + 1];
            message[0] = (byte) channel;
            System.arraycopy(data, 0, message, 1, data.length);
            ws.send(message);
        }
    }
}
