package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxpool.bench.LeaseCheck.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaseCheckTest {

    @Test
    void readsWhatTheCheckCodePrints() {
        assertThat(LeaseCheck.parse("bench-1a2b3c4d", "1\n1700000000000000000 1700000000000500000 0\n"))
                .isEqualTo(new Sample("bench-1a2b3c4d", 1700000000000000000L, 1700000000000500000L, 0));
    }

    @Test
    void refusesAnAnswerWithoutTheMeasuredOutput() {
        assertThatThrownBy(() -> LeaseCheck.parse("bench-1", "2\n1 2 0\n")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LeaseCheck.parse("bench-1", "1\n")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LeaseCheck.parse(null, "1\n1 2 0\n")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void backToBackExecutionsInOneSandboxAreNotADoubleLease() {
        var result = LeaseCheck.check(List.of(new Sample("a", 0, 10, 0), new Sample("a", 10, 20, 0),
                new Sample("b", 5, 15, 0)));

        assertThat(result).isEqualTo(new LeaseCheck.Result(3, 2, 0, 0));
        assertThat(result.doubleLeased()).isFalse();
    }

    @Test
    void executionsOverlappingInOneSandboxAreADoubleLease() {
        var result = LeaseCheck.check(List.of(new Sample("a", 20, 30, 0), new Sample("a", 0, 25, 0),
                new Sample("b", 0, 100, 0)));

        assertThat(result.overlapping()).isEqualTo(1);
        assertThat(result.doubleLeased()).isTrue();
    }

    @Test
    void anExecutionInsideALongerOneCountsEvenAfterAShortOneBetween() {
        var result = LeaseCheck.check(List.of(new Sample("a", 0, 100, 0), new Sample("a", 10, 20, 0),
                new Sample("a", 50, 60, 0)));

        assertThat(result.overlapping()).isEqualTo(2);
    }

    @Test
    void aMarkerLeftByAnotherExecutionIsADoubleLease() {
        var result = LeaseCheck.check(List.of(new Sample("a", 0, 10, 0), new Sample("a", 20, 30, 1)));

        assertThat(result).isEqualTo(new LeaseCheck.Result(2, 1, 0, 1));
        assertThat(result.doubleLeased()).isTrue();
    }
}
