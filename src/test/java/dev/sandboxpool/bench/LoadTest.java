package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LoadTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        List<Long> hundred = LongStream.rangeClosed(1, 100).map(ms -> ms * 1_000_000).boxed().toList();

        assertThat(Load.percentile(hundred, 50)).isEqualTo(50.0);
        assertThat(Load.percentile(hundred, 99)).isEqualTo(99.0);
        assertThat(Load.percentile(List.of(7_000_000L), 99)).isEqualTo(7.0);
        assertThat(Load.percentile(List.of(), 50)).isNaN();
    }

    @Test
    void countsFailedCallsAsErrorsAndKeepsTheFirstMessage() throws Exception {
        Set<Integer> numbers = ConcurrentHashMap.newKeySet();
        Load.Stats s = Load.run(2, Duration.ofMillis(200), i -> {
            numbers.add(i);
            if (i % 2 == 1 && i > 3) {
                throw new IllegalStateException("odd " + i);
            }
        });

        assertThat(s.count()).isPositive();
        assertThat(s.errors()).isPositive();
        assertThat(s.firstError()).startsWith("odd ");
        // thread 0 makes the even calls, thread 1 the odd ones: both ran
        assertThat(numbers).contains(4, 5);
    }
}
