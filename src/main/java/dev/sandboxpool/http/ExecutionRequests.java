package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.spec.Durations;
import dev.sandboxpool.spec.PoolSettings;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks an execution body against the API's and the pool's limits, naming the field that is wrong. */
final class ExecutionRequests {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ExecutionRequests() {
    }

    static ExecutionRequest from(ExecutionBody body, PoolSettings pool, ApiConfig api) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON object with at least \"code\" is required");
        }
        if (body.code() == null) {
            throw ApiException.badRequest("code", "is required");
        }
        if (body.code().getBytes(StandardCharsets.UTF_8).length > api.getMaxCodeBytes()) {
            throw ApiException.badRequest("code", "is larger than " + api.getMaxCodeBytes() + " bytes");
        }
        if (body.stdin() != null && body.stdin().getBytes(StandardCharsets.UTF_8).length > api.getMaxStdinBytes()) {
            throw ApiException.badRequest("stdin", "is larger than " + api.getMaxStdinBytes() + " bytes");
        }
        Map<String, String> env = body.env() == null ? Map.of() : body.env();
        env.forEach((name, value) -> {
            if (!ENV_NAME.matcher(name).matches()) {
                throw ApiException.badRequest("env." + name, "is not a valid environment variable name");
            }
            if (value == null) {
                throw ApiException.badRequest("env." + name, "must be a string");
            }
        });
        Map<String, String> files = body.files() == null ? Map.of() : body.files();
        files.forEach((name, content) -> {
            checkFileName(name);
            if (content == null) {
                throw ApiException.badRequest("files." + name, "must be a string");
            }
        });
        return new ExecutionRequest(body.code(), body.stdin(), env, files, timeout(body.timeoutSeconds(), pool));
    }

    private static Duration timeout(BigDecimal seconds, PoolSettings pool) {
        if (seconds == null) {
            return pool.defaultTimeout();
        }
        if (seconds.signum() <= 0) {
            throw ApiException.badRequest("timeoutSeconds", "must be greater than 0, got " + seconds.toPlainString());
        }
        Duration asked = Duration.ofMillis(seconds.movePointRight(3).longValue());
        if (asked.compareTo(pool.maxTimeout()) > 0) {
            throw ApiException.badRequest("timeoutSeconds", "must be at most " + pool.maxTimeout().toSeconds()
                    + " (the pool's execution.maxTimeout, " + Durations.format(pool.maxTimeout()) + "), got "
                    + seconds.toPlainString());
        }
        return asked.isZero() ? Duration.ofMillis(1) : asked;
    }

    /** Files land in the work dir: relative paths only, never outside it. */
    private static void checkFileName(String name) {
        Path p = Path.of(name).normalize();
        if (name.isEmpty() || name.startsWith("/") || p.isAbsolute() || p.startsWith("..") || name.contains("\0")
                || name.endsWith("/")) {
            throw ApiException.badRequest("files." + name, "must be a relative path inside the work dir");
        }
    }
}
