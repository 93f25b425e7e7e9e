package dev.sandboxpool.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest(name = "{0} is {1}ms")
    @CsvSource({
            "500ms, 500",
            "30s, 30000",
            "5m, 300000",
            "1h, 3600000",
            "1h30m, 5400000",
            "1m30s500ms, 90500",
            "1.5s, 1500",
            "0.5m, 30000",
            "0.25h, 900000",
            "1.0005s, 1000",
            "90s, 90000",
            "48h, 172800000",
            "0s, 0",
            "0ms, 0",
            "007s, 7000",
            "1m1m, 120000"})
    void parsesDuration(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"10 minutes", "abc", "30", "1d", "1w", "5M", "5S", "30sec", "1.s", ".5s", "s",
            "-5s", "+5s", "1h 30m", " 5m", "5m ", "1e3ms", "1,5s", "10us", "10ns"})
    void rejectsTextThatIsNotADuration(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808ms", "18446744073709551617ms", "99999999999999999999h"})
    void rejectsDurationTooLongToCount(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0}ms is {1}")
    @CsvSource({
            "0, 0s",
            "1, 1ms",
            "500, 500ms",
            "1000, 1s",
            "1500, 1s500ms",
            "30000, 30s",
            "60000, 1m",
            "300000, 5m",
            "5400000, 1h30m",
            "3605000, 1h5s",
            "3600001, 1h1ms",
            "3661001, 1h1m1s1ms",
            "86400000, 24h",
            "172800000, 48h"})
    void formatsDurationAsShortestText(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 5_400_000, 86_399_999,
            1_234_567_890})
    void parseReadsFormattedDurationBack(long millis) {
        Duration d = Duration.ofMillis(millis);

        assertThat(Durations.parse(Durations.format(d))).contains(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "30s", "1h30m", "1.5s", "0s", "1m1m", "10 minutes", "abc", "30", "1d", "5M",
            ".5s", "-5s", "1h 30m", "10us", ""})
    void crdPatternAcceptsExactlyWhatParseReads(String text) {
        assertThat(text.matches(SandboxPoolSpec.DURATION_PATTERN)).isEqualTo(Durations.parse(text).isPresent());
    }
}
