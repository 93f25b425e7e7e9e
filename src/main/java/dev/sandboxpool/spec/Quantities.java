package dev.sandboxpool.spec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities, as far as a sandbox's limits need them. */
public final class Quantities {
    private static final Pattern BYTES = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti|k|K|M|G|T)?");
    private static final Pattern CPU = Pattern.compile("([0-9]+)m|([0-9]+(?:\\.[0-9]+)?)");

    private Quantities() {
    }

    /** Bytes of a memory quantity ({@code 256Mi}, {@code 1G}, {@code 1048576}), or empty when it is not one. */
    public static Optional<Long> bytes(String text) {
        Matcher m = text == null ? null : BYTES.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Optional.of(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Thousandths of a CPU ({@code 500m} → 500, {@code 1.5} → 1500), or empty when it is not a CPU quantity. */
    public static Optional<Long> milliCpus(String text) {
        Matcher m = text == null ? null : CPU.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        try {
            if (m.group(1) != null) {
                return Optional.of(Long.parseLong(m.group(1)));
            }
            return Optional.of(new BigDecimal(m.group(2)).movePointRight(3).setScale(0, RoundingMode.DOWN)
                    .longValueExact());
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }
}
