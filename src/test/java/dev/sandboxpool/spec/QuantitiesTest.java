package dev.sandboxpool.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.ResourcesSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {
    @ParameterizedTest(name = "{0} is {1} bytes")
    @CsvSource({
            "0, 0",
            "1048576, 1048576",
            "1Ki, 1024",
            "256Mi, 268435456",
            "1Gi, 1073741824",
            "2Ti, 2199023255552",
            "1k, 1000",
            "1K, 1000",
            "500M, 500000000",
            "1G, 1000000000",
            "3T, 3000000000000",
            "8388607Ti, 9223370937343148032"})
    void readsMemoryQuantity(String text, long bytes) {
        assertThat(Quantities.bytes(text)).contains(bytes);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"abc", "256MB", "256mi", "1.5Gi", "0.5", "-1Mi", "1 Mi", " 1Mi", "Mi", "1Pi", "1E",
            "1e6", "1m"})
    void rejectsTextThatIsNotAMemoryQuantity(String text) {
        assertThat(Quantities.bytes(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8388608Ti", "9223372036854775808", "99999999999999999999Ki"})
    void rejectsMemoryQuantityTooLargeToCount(String text) {
        assertThat(Quantities.bytes(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} is {1} millicpus")
    @CsvSource({
            "500m, 500",
            "1, 1000",
            "2, 2000",
            "1.5, 1500",
            "0.25, 250",
            "0.0001, 0",
            "0, 0",
            "0m, 0",
            "2500m, 2500"})
    void readsCpuQuantity(String text, long milliCpus) {
        assertThat(Quantities.milliCpus(text)).contains(milliCpus);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"abc", "-1", "1.5m", "0.5m", "1 m", " 1", ".5", "1.", "1c", "1Ki", "1e3"})
    void rejectsTextThatIsNotACpuQuantity(String text) {
        assertThat(Quantities.milliCpus(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999m", "18446744073709551.617", "99999999999999999999"})
    void rejectsCpuQuantityTooLargeToCount(String text) {
        assertThat(Quantities.milliCpus(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"256Mi", "1Gi", "500M", "1048576", "1.5Gi", "256MB", "1Pi", "-1Mi", ""})
    void crdPatternAcceptsExactlyTheMemoryQuantitiesBytesReads(String text) {
        assertThat(text.matches(ResourcesSpec.MEMORY_PATTERN)).isEqualTo(Quantities.bytes(text).isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"500m", "1", "1.5", "0.25", "1.5m", ".5", "-1", "1e3", "abc", ""})
    void crdPatternAcceptsExactlyTheCpuQuantitiesMilliCpusReads(String text) {
        assertThat(text.matches(ResourcesSpec.CPU_PATTERN)).isEqualTo(Quantities.milliCpus(text).isPresent());
    }
}
