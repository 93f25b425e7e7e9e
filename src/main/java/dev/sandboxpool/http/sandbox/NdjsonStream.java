package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxpool.execution.Cancellation;
import dev.sandboxpool.http.ApiError;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import java.util.concurrent.Executor;

/**
 * A run's output as newline-delimited JSON, for a client that asks with {@code Accept: application/x-ndjson}: a
 * line {@code {"type":"stdout","text":...}} or {@code {"type":"stderr",...}} per chunk as the sandbox prints it,
 * then {@code {"type":"result",...}} (the body the JSON answer would have had), or {@code {"type":"error",
 * "error":...,"message":...}} when the run failed after the 200 was sent. A client that closes the connection
 * cancels the subscription, which cancels the run: its code is stopped in the sandbox.
 */
@jakarta.inject.Singleton
public final class NdjsonStream {
    public static final String TYPE = "application/x-ndjson";
    private static final Logger log = LoggerFactory.getLogger(NdjsonStream.class);

    private final ObjectMapper json;
    private final Executor blocking;

    public NdjsonStream(ObjectMapper json, @Named(TaskExecutors.BLOCKING) Executor blocking) {
        this.json = json;
        this.blocking = blocking;
    }

    /** The work of a stream: runs on a thread of its own (it blocks), its output to {@code output}. */
    @FunctionalInterface
    public interface Work {
        Object run(SandboxOps.OutputListener output, Cancellation cancellation);
    }

    /** Whether the client asked for a stream: {@code Accept} names {@value #TYPE} ({@code * / *} does not). */
    public static boolean wanted(HttpRequest<?> request) {
        return request.getHeaders().getAll(HttpHeaders.ACCEPT).stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(type -> type.split(";", 2)[0].strip())
                .anyMatch(TYPE::equalsIgnoreCase);
    }

    /**
     * The work runs on the blocking executor, not in a {@code subscribeOn} task: cancelling such a task interrupts
     * its thread, and an interrupted wait for the runner's answer costs the member (its session is closed, as for
     * a runner that stopped answering). Cancelling here asks the runner to stop the run and lets the answer come.
     */
    public HttpResponse<Publisher<byte[]>> of(Work work) {
        Flux<byte[]> lines = Flux.<byte[]>create(sink -> {
            Cancellation cancellation = new Cancellation();
            sink.onCancel(cancellation::cancel);
            blocking.execute(() -> run(work, sink, cancellation));
        });
        return HttpResponse.<Publisher<byte[]>>ok(lines).contentType(MediaType.of(TYPE));
    }

    private void run(Work work, FluxSink<byte[]> sink, Cancellation cancellation) {
        SandboxOps.OutputListener output = new SandboxOps.OutputListener() {
            @Override
            public void stdout(String text) {
                sink.next(output("stdout", text));
            }

            @Override
            public void stderr(String text) {
                sink.next(output("stderr", text));
            }
        };
        try {
            Object result = work.run(output, cancellation);
            sink.next(line("result", json.valueToTree(result)));
        } catch (RuntimeException e) {
            if (!cancellation.isCancelled()) {
                log.info("a streamed run failed after its 200 was sent: {}", e.toString());
            }
            ApiError error = SandboxErrors.ofStream(e);
            sink.next(line("error", json.valueToTree(error)));
        }
        sink.complete();
    }

    private byte[] output(String type, String text) {
        return line(type, json.createObjectNode().put("text", text));
    }

    /** {@code {"type": type, ...fields}} and a newline. */
    private byte[] line(String type, com.fasterxml.jackson.databind.JsonNode fields) {
        ObjectNode out = json.createObjectNode().put("type", type);
        if (fields instanceof ObjectNode object) {
            out.setAll(object);
        }
        try {
            return (json.writeValueAsString(out) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
