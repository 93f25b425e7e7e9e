package dev.sandboxpool.http.sandbox;

import io.micronaut.core.annotation.Introspected;
import java.math.BigDecimal;

/**
 * {@code POST .../commands/{pid}/signal}: a Linux signal number (15 TERM, 9 KILL, 2 INT) for its process group. A
 * number rather than an int: JSON's integers include {@code 15.0}, which Jackson would refuse as a float.
 */
@Introspected
public record SignalBody(BigDecimal signal) {
}
