package dev.sandboxpool.execution;

import dev.sandboxpool.backend.AttachedProcess;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.SandboxBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent runner of one sandbox: started once, kept attached, one request at a time. A request costs a round
 * trip over the open stream and a fork inside the sandbox instead of an exec and an interpreter start.
 *
 * <p>Once the stream ends (user code killed the runner, the sandbox died) or a request goes unanswered past its
 * deadline, the session is dead for good: {@link #alive()} is false and the pool replaces the sandbox rather than
 * reuse it with a runner in an unknown state.
 */
public final class RunnerSession implements Runner, AttachedProcess.Listener {
    private static final Logger log = LoggerFactory.getLogger(RunnerSession.class);
    /** Longest line kept while looking for an answer; a longer one means the stream is not speaking the protocol. */
    private static final int MAX_LINE = 64 << 20;
    /** What a probe may print; more is cut off (and a probe that floods is not healthy anyway). */
    private static final long PROBE_OUTPUT = 65_536;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String sandbox;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private AttachedProcess process;
    private volatile boolean dead;
    private volatile boolean streamBroke;
    private volatile String expectedNonce;
    private volatile CompletableFuture<String> pending;
    private volatile Consumer<JsonNode> pendingEvents;

    private RunnerSession(String sandbox) {
        this.sandbox = sandbox;
    }

    /**
     * Starts the runner in the sandbox and proves it answers; empty when the backend cannot hold an attached process.
     *
     * @throws BackendException when it starts but does not answer
     */
    public static Optional<RunnerSession> open(SandboxBackend backend, String sandboxId) {
        RunnerSession session = new RunnerSession(sandboxId);
        Optional<AttachedProcess> process = backend.attach(sandboxId, SandboxScripts.serveCommand(), session);
        if (process.isEmpty()) {
            return Optional.empty();
        }
        session.process = process.get();
        Optional<String> failure = session.ping();
        if (failure.isPresent()) {
            session.close();
            throw new BackendException("the runner in " + sandboxId + " did not answer: " + failure.get());
        }
        return Optional.of(session);
    }

    @Override
    public RunnerOutcome run(ExecutionRequest request, long maxOutputBytes) {
        return send(RunnerProtocol.run(request, maxOutputBytes), request.timeout().plus(RunnerProtocol.GRACE));
    }

    @Override
    public RunnerOutcome runAndClean(ExecutionRequest request, long maxOutputBytes) {
        return send(RunnerProtocol.runAndClean(request, maxOutputBytes),
                request.timeout().plus(RunnerProtocol.GRACE).plus(RunnerProtocol.CLEAN_TIMEOUT));
    }

    @Override
    public RunnerOutcome run(ExecutionRequest request, long maxOutputBytes, Consumer<JsonNode> events,
            Cancellation cancellation) {
        Map<String, Object> body = RunnerProtocol.run(request, maxOutputBytes);
        body.put("stream", true);
        String nonce = RunnerProtocol.nonce(body);
        try (Cancellation.Registration ignored = cancellation.onCancel(() -> cancel(nonce))) {
            return send(body, request.timeout().plus(RunnerProtocol.GRACE), events);
        }
    }

    /**
     * A cancel frame, written beside whatever request is in flight (not in line behind it, as {@link #exchange}
     * is): the runner watches its stdin while it runs a request, and remembers a cancel that overtakes its request.
     */
    @Override
    public void cancel(String nonce) {
        if (dead) {
            return;
        }
        try {
            process.write(RunnerProtocol.frame(RunnerProtocol.cancel(nonce)));
        } catch (BackendException e) {
            kill("cannot send a cancel: " + e.getMessage());
        }
    }

    private RunnerOutcome send(Map<String, Object> body, Duration deadline) {
        return send(body, deadline, null);
    }

    private RunnerOutcome send(Map<String, Object> body, Duration deadline, Consumer<JsonNode> events) {
        long started = System.nanoTime();
        String answer;
        try {
            answer = exchange(body, deadline, events);
        } catch (TimeoutException e) {
            return RunnerProtocol.failed("the sandbox did not answer within the time limit", elapsed(started), true);
        } catch (RunnerGoneException e) {
            return RunnerProtocol.failed("the runner ended without a result: " + e.getMessage(), elapsed(started),
                    false);
        }
        return RunnerProtocol.toOutcome(answer, elapsed(started));
    }

    @Override
    public Optional<String> clean() {
        return simple(RunnerProtocol.clean(), RunnerProtocol.CLEAN_TIMEOUT, "clean");
    }

    @Override
    public Optional<String> ping() {
        return simple(RunnerProtocol.request("ping"), RunnerProtocol.PING_TIMEOUT, "pong");
    }

    @Override
    public Optional<String> probe(List<String> command, String expectOutput, Duration timeout) {
        RunnerOutcome outcome;
        try {
            String answer = call(RunnerProtocol.command(command, timeout, PROBE_OUTPUT), timeout.plus(
                    RunnerProtocol.GRACE));
            outcome = RunnerProtocol.toOutcome(answer, 0);
        } catch (TimeoutException e) {
            return Optional.of("the runner did not answer within " + timeout.plus(RunnerProtocol.GRACE).toMillis()
                    + " ms");
        } catch (RunnerGoneException e) {
            return Optional.of("the runner is gone: " + e.getMessage());
        }
        ExecutionResult r = outcome.result();
        if (r.error() != null) {
            return Optional.of(r.error());
        }
        return Optional.ofNullable(RunnerProtocol.probeFailure(r.exitCode(), r.timedOut(), r.stdout(), r.stderr(),
                expectOutput, timeout));
    }

    private Optional<String> simple(Map<String, Object> body, Duration timeout, String successField) {
        try {
            return Optional.ofNullable(RunnerProtocol.failureOf(call(body, timeout), successField));
        } catch (TimeoutException e) {
            return Optional.of("no answer within " + timeout.toMillis() + " ms");
        } catch (RunnerGoneException e) {
            return Optional.of("the runner is gone: " + e.getMessage());
        }
    }

    @Override
    public JsonNode call(Map<String, Object> request, Duration deadline, Consumer<JsonNode> events) {
        String answer;
        try {
            answer = exchange(request, deadline, events);
        } catch (TimeoutException e) {
            throw new RunnerFailedException("the sandbox did not answer within " + deadline.toMillis() + " ms", true);
        } catch (RunnerGoneException e) {
            throw new RunnerFailedException("the runner is gone: " + e.getMessage(), false);
        }
        try {
            return JSON.readTree(answer);
        } catch (IOException e) {
            kill("unreadable answer");
            throw new RunnerFailedException("unreadable runner answer: " + e.getMessage(), false);
        }
    }

    private String call(Map<String, Object> body, Duration timeout) throws TimeoutException {
        return exchange(body, timeout, null);
    }

    /**
     * One request, one answer, and the events streamed before it. Callers of one lease may overlap (a command's
     * output read while a file is written): the lock puts them in line.
     */
    private synchronized String exchange(Map<String, Object> body, Duration timeout, Consumer<JsonNode> events)
            throws TimeoutException {
        if (dead) {
            throw new RunnerGoneException("the session ended earlier");
        }
        CompletableFuture<String> answer = new CompletableFuture<>();
        expectedNonce = RunnerProtocol.nonce(body);
        pendingEvents = events;
        pending = answer;
        try {
            try {
                process.write(RunnerProtocol.frame(body));
            } catch (BackendException e) {
                // the stream is gone (its end may not have been reported yet): the session is over
                kill("cannot send a request: " + e.getMessage());
                throw new RunnerGoneException("cannot send a request: " + e.getMessage());
            }
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // a runner that missed its deadline is in an unknown state: never reuse it
            kill("no answer within " + timeout.toMillis() + " ms");
            throw e;
        } catch (ExecutionException e) {
            throw new RunnerGoneException(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill("interrupted");
            throw new RunnerGoneException("interrupted");
        } finally {
            pending = null;
            pendingEvents = null;
        }
    }

    @Override
    public void stdout(byte[] chunk) {
        synchronized (line) {
            int start = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                line.write(chunk, start, i - start);
                start = i + 1;
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                CompletableFuture<String> waiting = pending;
                String nonce = expectedNonce;
                if (waiting != null && nonce != null && text.startsWith(nonce + " ")) {
                    waiting.complete(text.substring(nonce.length() + 1));
                } else if (waiting != null && nonce != null && text.startsWith(nonce + "! ")) {
                    event(text.substring(nonce.length() + 2));
                } else {
                    log.warn("sandbox {}: runner printed a line that answers nothing: {}", sandbox,
                            RunnerProtocol.abbreviate(text));
                }
            }
            line.write(chunk, start, chunk.length - start);
            if (line.size() > MAX_LINE) {
                line.reset();
                kill("the runner's output exceeded " + MAX_LINE + " bytes without a line end");
            }
        }
    }

    /** A streamed event of the pending request, given to its listener (on the stream's thread: it must not block). */
    private void event(String json) {
        Consumer<JsonNode> events = pendingEvents;
        if (events == null) {
            return;
        }
        try {
            events.accept(JSON.readTree(json));
        } catch (IOException | RuntimeException e) {
            log.warn("sandbox {}: a streamed event was dropped: {}", sandbox, e.toString());
        }
    }

    @Override
    public void stderr(byte[] chunk) {
        log.warn("sandbox {}: runner: {}", sandbox,
                RunnerProtocol.abbreviate(new String(chunk, StandardCharsets.UTF_8)));
    }

    @Override
    public void closed(Throwable cause) {
        if (!dead) {
            streamBroke = cause != null; // ended by itself, not closed here
        }
        dead = true;
        CompletableFuture<String> waiting = pending;
        if (waiting != null) {
            waiting.completeExceptionally(new RunnerGoneException(cause == null ? "the runner's stream ended"
                    : "the runner's stream failed: " + cause.getMessage()));
        }
    }

    private void kill(String why) {
        log.warn("sandbox {}: closing its runner session: {}", sandbox, why);
        close();
    }

    @Override
    public boolean alive() {
        return !dead;
    }

    /**
     * The stream failed or was cut while the runner still ran (a connection lost on the way), as opposed to the
     * runner ending (killed, or its sandbox gone) or this side closing it. Its sandbox is as the last answer left it.
     */
    public boolean streamBroke() {
        return streamBroke;
    }

    /** Ends the session; a request waiting for its answer fails at once (its member is being removed). */
    @Override
    public void close() {
        dead = true;
        CompletableFuture<String> waiting = pending;
        if (waiting != null) {
            waiting.completeExceptionally(new RunnerGoneException("the session was closed: its sandbox is removed"));
        }
        if (process != null) {
            process.close();
        }
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** The runner's stream is gone. */
    private static final class RunnerGoneException extends RuntimeException {
        RunnerGoneException(String message) {
            super(message);
        }
    }
}
