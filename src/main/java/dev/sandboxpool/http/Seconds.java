package dev.sandboxpool.http;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * A number of seconds from a request body, kept as the exact decimal the caller wrote until it is known to fit:
 * compared with the limit first, converted after, so no value wraps around into a negative or tiny duration
 * ({@code 18446744073709551.616} seconds is 2^64 ms, which {@code longValue()} turns into 616 ms).
 */
public final class Seconds {
    /** The API's resolution: durations are whole milliseconds. */
    public static final BigDecimal MILLISECOND = new BigDecimal("0.001");
    /** Digits beyond which a number is shown in scientific notation ({@code 1e999999999} has a billion). */
    private static final int MAX_PLAIN_DIGITS = 40;

    private Seconds() {
    }

    public static boolean isAbove(BigDecimal seconds, Duration limit) {
        return seconds.compareTo(of(limit)) > 0;
    }

    /** The duration, to the millisecond, rounded down; only for values already checked against a limit. */
    public static Duration toDuration(BigDecimal seconds, Duration limit) {
        if (seconds.signum() < 0 || isAbove(seconds, limit)) {
            throw new IllegalArgumentException(seconds + " s is outside 0.." + limit);
        }
        return Duration.ofMillis(seconds.setScale(3, RoundingMode.DOWN).movePointRight(3).longValueExact());
    }

    /** The limit in seconds as the caller would write it: {@code 20}, {@code 0.5}. */
    public static String format(Duration limit) {
        return of(limit).stripTrailingZeros().toPlainString();
    }

    /** The number as the caller can recognise it, in a bounded length whatever its exponent. */
    public static String shown(BigDecimal seconds) {
        BigDecimal s = seconds.stripTrailingZeros();
        long integerDigits = (long) s.precision() - s.scale();
        return integerDigits > MAX_PLAIN_DIGITS || -integerDigits > MAX_PLAIN_DIGITS ? s.toString() : s.toPlainString();
    }

    private static BigDecimal of(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3);
    }
}
