package dev.sandboxpool.http;

import io.micronaut.core.annotation.Introspected;
import java.math.BigDecimal;
import java.util.Map;

/** {@code POST /v1/pools/{pool}/executions}: the code to run and what it gets. Unknown fields are rejected. */
@Introspected
public record ExecutionBody(String code, String stdin, Map<String, String> env, Map<String, String> files,
        BigDecimal timeoutSeconds) {
}
