package dev.sandboxpool.http;

import io.micronaut.core.annotation.Introspected;
import java.math.BigDecimal;

/** {@code POST /v1/pools/{pool}/leases} and {@code POST /v1/leases/{id}/renew}; every field is optional. */
@Introspected
public record LeaseBody(BigDecimal ttlSeconds, BigDecimal waitSeconds) {
}
