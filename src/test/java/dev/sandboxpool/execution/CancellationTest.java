package dev.sandboxpool.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTest {
    @Test
    void aRegisteredStopRunsOnceWhenCancelled() {
        Cancellation c = new Cancellation();
        AtomicInteger stops = new AtomicInteger();
        c.onCancel(stops::incrementAndGet);

        c.cancel();
        c.cancel();

        assertThat(stops).hasValue(1);
        assertThat(c.isCancelled()).isTrue();
    }

    @Test
    void aStopRegisteredAfterTheCancelRunsAtOnce() {
        Cancellation c = new Cancellation();
        c.cancel();
        AtomicInteger stops = new AtomicInteger();

        c.onCancel(stops::incrementAndGet);

        assertThat(stops).hasValue(1);
    }

    @Test
    void aClosedRegistrationIsForgotten() {
        Cancellation c = new Cancellation();
        AtomicInteger stops = new AtomicInteger();
        c.onCancel(stops::incrementAndGet).close();

        c.cancel();

        assertThat(stops).hasValue(0);
    }

    @Test
    void noneIsNeverCancelled() {
        AtomicInteger stops = new AtomicInteger();
        Cancellation.NONE.onCancel(stops::incrementAndGet);

        Cancellation.NONE.cancel();

        assertThat(Cancellation.NONE.isCancelled()).isFalse();
        assertThat(stops).hasValue(0);
    }
}
