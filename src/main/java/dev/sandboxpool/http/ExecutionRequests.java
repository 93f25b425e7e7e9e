package dev.sandboxpool.http;

import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.spec.Durations;
import dev.sandboxpool.spec.PoolSettings;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks an execution body against the API's and the pool's limits, naming the field that is wrong. Everything
 * the sandbox could not honour is refused here, before a member is leased: a request that reached a member and
 * failed there would cost a warm member, or answer 500. The body holds no {@code null} ({@link JsonBodies} refuses
 * it), so an absent field is the only missing value.
 */
public final class ExecutionRequests {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ExecutionRequests() {
    }

    public static ExecutionRequest from(ExecutionBody body, PoolSettings pool, ApiConfig api) {
        if (body == null) {
            throw ApiException.badRequest("body", "a JSON object with at least \"code\" is required");
        }
        if (body.code() == null) {
            throw ApiException.badRequest("code", "is required");
        }
        RequestText.requirePaired("code", body.code());
        // Python refuses source with a NUL byte before running any of it; saying so here names the field
        if (body.code().indexOf('\0') >= 0) {
            throw ApiException.badRequest("code", "contains a NUL character, which Python source cannot hold");
        }
        if (body.code().getBytes(StandardCharsets.UTF_8).length > api.getMaxCodeBytes()) {
            throw ApiException.badRequest("code", "is larger than " + api.getMaxCodeBytes() + " bytes");
        }
        if (body.stdin() != null) {
            RequestText.requirePaired("stdin", body.stdin());
            if (body.stdin().getBytes(StandardCharsets.UTF_8).length > api.getMaxStdinBytes()) {
                throw ApiException.badRequest("stdin", "is larger than " + api.getMaxStdinBytes() + " bytes");
            }
        }
        Map<String, String> env = body.env() == null ? Map.of() : body.env();
        env.forEach(ExecutionRequests::checkEnv);
        Map<String, String> files = body.files() == null ? Map.of() : FileKeys.normalised(body.files());
        files.forEach((name, content) -> RequestText.requirePaired(RequestText.field("files", name), content));
        return new ExecutionRequest(body.code(), body.stdin(), env, files, timeout(body.timeoutSeconds(), pool));
    }

    /** A 400 naming {@code env.<name>} when the variable could not be given to a process as it is. */
    public static void checkEnv(String name, String value) {
        String field = RequestText.field("env", name);
        if (!ENV_NAME.matcher(name).matches()) {
            throw ApiException.badRequest(field, "is not a valid environment variable name");
        }
        if (value.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, "contains a NUL character, which an environment variable cannot"
                    + " hold");
        }
        RequestText.requirePaired(field, value);
    }

    /** Below a millisecond or above the pool's maximum is a 400: the caller asked for a limit it would not get. */
    public static Duration timeout(BigDecimal seconds, PoolSettings pool) {
        if (seconds == null) {
            return pool.defaultTimeout();
        }
        if (seconds.compareTo(Seconds.MILLISECOND) < 0) {
            throw ApiException.badRequest("timeoutSeconds", "must be at least 0.001 (a millisecond), got "
                    + Seconds.shown(seconds));
        }
        if (Seconds.isAbove(seconds, pool.maxTimeout())) {
            throw ApiException.badRequest("timeoutSeconds", "must be at most " + Seconds.format(pool.maxTimeout())
                    + " (the pool's execution.maxTimeout, " + Durations.format(pool.maxTimeout()) + "), got "
                    + Seconds.shown(seconds));
        }
        return Seconds.toDuration(seconds, pool.maxTimeout());
    }
}
