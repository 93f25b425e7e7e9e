package dev.sandboxpool.http.sandbox;

import dev.sandboxpool.http.ApiConfig;
import dev.sandboxpool.http.ApiException;
import dev.sandboxpool.http.JsonBodies;
import dev.sandboxpool.http.RequestText;
import dev.sandboxpool.pool.Pool;
import dev.sandboxpool.pool.PoolRegistry;
import dev.sandboxpool.sandbox.CommandProgress;
import dev.sandboxpool.sandbox.CommandSpec;
import dev.sandboxpool.sandbox.SandboxOpException;
import dev.sandboxpool.sandbox.SandboxOps;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A lease's commands: run one in the foreground (the answer is its end; streamed as NDJSON on request) or in the
 * background (the answer is its pid), then read its output from offsets, write its stdin, close it, signal it, list.
 * A pid is a handle only within its lease: each lease has its own member, whose runner knows only its own commands.
 */
@Controller("/v1/leases/{id}/commands")
@Requires(beans = PoolRegistry.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class CommandsController {
    /** Linux's largest pid_max: a larger pid names no process anywhere. */
    static final long MAX_PID = 4_194_304;

    private final LeaseSandboxes sandboxes;
    private final JsonBodies json;
    private final ApiConfig config;
    private final NdjsonStream streams;

    public CommandsController(LeaseSandboxes sandboxes, JsonBodies json, ApiConfig config, NdjsonStream streams) {
        this.sandboxes = sandboxes;
        this.json = json;
        this.config = config;
        this.streams = streams;
    }

    @Post
    @Produces({MediaType.APPLICATION_JSON, NdjsonStream.TYPE})
    public HttpResponse<?> run(HttpRequest<?> request, String id, @Nullable @Body String body) {
        Pool pool = sandboxes.pool(id);
        SandboxOps ops = pool.sandbox(id);
        CommandBody b = json.read(body, CommandBody.class);
        CommandSpec spec = CommandRequests.from(b, pool.settings(), config);
        if (spec.cwd() != null) {
            sandboxes.requireDirectory(ops, "cwd", spec.cwd());
        }
        if (Boolean.TRUE.equals(b.background())) {
            return HttpResponse.status(HttpStatus.CREATED).body(CommandView.of(sandboxes.call(ops,
                    o -> o.startCommand(spec))));
        }
        long maxOutput = pool.settings().maxOutputBytes();
        if (NdjsonStream.wanted(request)) {
            return streams.of((output, cancellation) -> ForegroundCommand.run(ops, spec, maxOutput, output,
                    cancellation));
        }
        return HttpResponse.ok(sandboxes.call(ops, o -> ForegroundCommand.run(o, spec, maxOutput,
                SandboxOps.OutputListener.NONE, dev.sandboxpool.execution.Cancellation.NONE)));
    }

    @Get
    public CommandView.Listing list(String id) {
        SandboxOps ops = sandboxes.ops(id);
        return new CommandView.Listing(sandboxes.call(ops, SandboxOps::listCommands).stream().map(CommandView::of)
                .toList());
    }

    @Get("/{pid}")
    public CommandView get(String id, String pid) {
        SandboxOps ops = sandboxes.ops(id);
        int p = pid(pid);
        return sandboxes.call(ops, SandboxOps::listCommands).stream().filter(c -> c.pid() == p).findFirst()
                .map(CommandView::of)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "CommandNotFound", "pid: no command with"
                        + " pid " + p + " in this lease"));
    }

    /** Output from the offsets on, waiting up to {@code waitSeconds} (at most 1) for some or for the end. */
    @Get("/{pid}/output")
    public CommandOutputView output(String id, String pid, @Nullable @QueryValue String stdoutOffset,
            @Nullable @QueryValue String stderrOffset, @Nullable @QueryValue String waitSeconds) {
        SandboxOps ops = sandboxes.ops(id);
        int p = pid(pid);
        long outFrom = offset("stdoutOffset", stdoutOffset);
        long errFrom = offset("stderrOffset", stderrOffset);
        Duration wait = waitSeconds(waitSeconds);
        CommandProgress progress = sandboxes.call(ops, o -> o.readCommand(p, outFrom, errFrom, wait));
        // a read that ends inside a character stops before it: the next read starts at that character
        int outEnd = progress.exited() ? progress.stdout().length : Utf8Text.complete(progress.stdout());
        int errEnd = progress.exited() ? progress.stderr().length : Utf8Text.complete(progress.stderr());
        return new CommandOutputView(text(progress.stdout(), outEnd), text(progress.stderr(), errEnd),
                progress.stdoutOffset() - (progress.stdout().length - outEnd),
                progress.stderrOffset() - (progress.stderr().length - errEnd), progress.exited(),
                progress.exitCode(), progress.timedOut(), progress.lost());
    }

    @Post("/{pid}/stdin")
    public HttpResponse<Void> sendInput(String id, String pid, @Nullable @Body String body) {
        SandboxOps ops = sandboxes.ops(id);
        int p = pid(pid);
        InputBody input = json.read(body, InputBody.class);
        if (input.data() == null) {
            throw ApiException.badRequest("data", "is required: the text to write to the command's stdin");
        }
        RequestText.requirePaired("data", input.data());
        byte[] data = input.data().getBytes(StandardCharsets.UTF_8);
        if (data.length > config.getMaxStdinBytes()) {
            throw ApiException.badRequest("data", "is larger than " + config.getMaxStdinBytes() + " bytes");
        }
        try {
            ops.sendInput(p, data);
        } catch (SandboxOpException e) {
            // the one INVALID here is a stdin already closed (or never kept open): the command's state, not the request
            throw e.kind() == SandboxOpException.Kind.INVALID
                    ? new ApiException(HttpStatus.CONFLICT, "StdinClosed", "pid: " + e.getMessage())
                    : SandboxErrors.toApi(e);
        }
        return HttpResponse.noContent();
    }

    @Post("/{pid}/stdin/close")
    // form and text types only for a POST without a body (curl -d ''): a body of them is a 415 before it gets here
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_FORM_URLENCODED, MediaType.TEXT_PLAIN})
    public HttpResponse<Void> closeInput(String id, String pid) {
        SandboxOps ops = sandboxes.ops(id);
        int p = pid(pid);
        sandboxes.call(ops, o -> {
            o.closeInput(p);
            return null;
        });
        return HttpResponse.noContent();
    }

    @Post("/{pid}/signal")
    public HttpResponse<Void> signal(String id, String pid, @Nullable @Body String body) {
        SandboxOps ops = sandboxes.ops(id);
        int p = pid(pid);
        BigDecimal number = json.read(body, SignalBody.class).signal();
        if (number == null || number.compareTo(BigDecimal.ONE) < 0 || number.compareTo(BigDecimal.valueOf(64)) > 0
                || number.stripTrailingZeros().scale() > 0) {
            throw ApiException.badRequest("signal", "must be a Linux signal number from 1 to 64 (15 TERM, 9 KILL)");
        }
        int signal = number.intValueExact();
        sandboxes.call(ops, o -> {
            o.signal(p, signal);
            return null;
        });
        return HttpResponse.noContent();
    }

    /** Taken as text so that a wrong one is this API's answer: a 404, as for any pid the lease has no command of. */
    private static int pid(String pid) {
        long p;
        try {
            p = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > MAX_PID) {
            throw new ApiException(HttpStatus.NOT_FOUND, "CommandNotFound", "pid: no command with pid "
                    + shown(pid) + " in this lease");
        }
        return (int) p;
    }

    private static long offset(String field, String value) {
        if (value == null) {
            return 0;
        }
        try {
            long offset = Long.parseLong(value);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // reported below with the rule
        }
        throw ApiException.badRequest(field, "must be a whole number of bytes, 0 or more, got " + shown(value));
    }

    private static Duration waitSeconds(String value) {
        if (value == null) {
            return Duration.ZERO;
        }
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("waitSeconds", "must be a number from 0 to 1, got " + shown(value));
        }
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.ONE) > 0) {
            throw ApiException.badRequest("waitSeconds", "must be from 0 to 1 (a longer wait would hold the"
                    + " sandbox's channel from the lease's other calls), got " + shown(value));
        }
        return Duration.ofMillis(seconds.movePointRight(3).longValue());
    }

    private static String text(byte[] bytes, int end) {
        return new String(Arrays.copyOf(bytes, end), StandardCharsets.UTF_8);
    }

    private static String shown(String value) {
        return RequestText.field("", value).substring(1);
    }
}
