package dev.sandboxpool.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.backend.Owner.Liveness;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whether the instance that created a member still runs, asked of this host's real process table. */
class OwnerTest {

    @Test
    void anInstanceOfThisProcessIsAliveUntilItEnds() {
        Owner o = Owner.start();
        assertThat(Owner.of(o.label())).isEqualTo(Liveness.ALIVE);
        o.end();
        assertThat(Owner.of(o.label())).isEqualTo(Liveness.GONE);
    }

    @Test
    void theNameOfAnInstancesFilesTellsWhetherItRuns() {
        Owner o = Owner.start();
        assertThat(Owner.ofFileName(o.fileName())).isEqualTo(Liveness.ALIVE);
        o.end();
        assertThat(Owner.ofFileName(o.fileName())).isEqualTo(Liveness.GONE);
        assertThat(Owner.ofFileName("not-an-instance-name")).isEqualTo(Liveness.GONE);
    }

    @Test
    void anotherProcessIsAliveWhileItRunsAndGoneAfter() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            long start = p.info().startInstant().orElseThrow().toEpochMilli();
            Owner other = new Owner(Owner.start().host(), p.pid(), start, "other");
            assertThat(Owner.of(other.label())).isEqualTo(Liveness.ALIVE);
            // the same pid with another start time is another process: the pid was reused
            assertThat(Owner.of(new Owner(other.host(), p.pid(), start - 1000, "other").label()))
                    .isEqualTo(Liveness.GONE);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertThat(Owner.of(other.label())).isEqualTo(Liveness.GONE);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void anInstanceOnAnotherHostCannotBeJudgedFromHere() {
        Owner self = Owner.start();
        Owner elsewhere = new Owner("another-host", self.pid(), self.startMillis(), self.nonce());
        assertThat(Owner.of(elsewhere.label())).isEqualTo(Liveness.UNKNOWN);
        self.end();
    }

    @Test
    void aMissingOrMalformedOwnerIsAVersionBeforeOwnersAndGone() {
        assertThat(Owner.of(null)).isEqualTo(Liveness.GONE);
        assertThat(Owner.of("no-slashes")).isEqualTo(Liveness.GONE);
        assertThat(Owner.of("h/not-a-pid/1/n")).isEqualTo(Liveness.GONE);
    }

    @Test
    void theLabelRoundTrips() {
        Owner o = new Owner("host", 42, 1700000000000L, "abcd1234");
        assertThat(o.label()).isEqualTo("host/42/1700000000000/abcd1234");
        assertThat(Owner.parse(o.label())).contains(o);
    }
}
