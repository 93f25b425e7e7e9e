package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void aRowMeasuredLaterGoesWhereItWasMarked() {
        Table t = new Table("scenario", "p50");
        t.add("one-shot", "10 ms");
        int beside = t.size();
        t.add("lease", "1 ms");
        t.insert(beside, "run_code", "12 ms");

        assertThat(t.render()).isEqualTo("""
                | scenario | p50   |
                |----------|-------|
                | one-shot | 10 ms |
                | run_code | 12 ms |
                | lease    | 1 ms  |
                """);
    }
}
