package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * {@code POST .../commands}: an argv ({@code cmd}) or a line for {@code /bin/sh -c} ({@code shell}), one of them,
 * and what it gets. In the foreground (the default) the call answers when it ends; {@code background} answers at
 * once with its pid.
 */
@Introspected
public record CommandBody(List<String> cmd, String shell, Map<String, String> env, String cwd, String stdin,
        BigDecimal timeoutSeconds, Boolean background, Boolean keepStdinOpen, String tag) {
}
