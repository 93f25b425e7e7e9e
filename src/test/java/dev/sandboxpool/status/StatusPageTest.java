package dev.sandboxpool.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.execution.ExecutionResult;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.PoolStats;
import dev.sandboxpool.pool.RetireReason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    /** Markup an attacker would like on the page, in every text the page takes from outside. */
    private static final String HOSTILE = "<img src=x onerror=alert(1)>\"'&";

    @Test
    void textFromOutsideIsEscapedEverywhere() {
        RecentActivity recent = new RecentActivity(Clock.fixed(NOW, ZoneOffset.UTC));
        recent.executed("p", HOSTILE, new ExecutionResult("", "", 0, false, false, 3, null));
        recent.memberRetired("p", HOSTILE, RetireReason.DAMAGED);
        Condition notReady = new Condition();
        notReady.setType("Ready");
        notReady.setStatus("False");
        notReady.setReason("StartFailing");
        notReady.setMessage(HOSTILE);
        PoolStats pool = stats(HOSTILE, List.of(member(HOSTILE, MemberState.READY)), List.of(notReady), HOSTILE,
                HOSTILE);

        String html = StatusPage.page(HOSTILE, List.of(pool), recent, NOW);

        assertThat(html).doesNotContain("<img").doesNotContain("\"'&").contains("&lt;img src=x onerror=alert(1)&gt;"
                + "&quot;&#39;&amp;");
    }

    @Test
    void membersAreDrawnInTheStatesPeopleNameAndRecentActivityNewestFirst() {
        RecentActivity recent = new RecentActivity(Clock.fixed(NOW, ZoneOffset.UTC));
        recent.executed("p", "m1", new ExecutionResult("", "", 0, false, false, 3, null));
        recent.executed("p", "m2", new ExecutionResult("", "", 137, true, false, 5000, null));
        recent.memberRetired("p", "m3", RetireReason.MAX_USES);
        List<MemberInfo> members = List.of(member("m1", MemberState.READY), member("m2", MemberState.LEASED),
                member("m3", MemberState.TERMINATING), member("m4", MemberState.CLEANING),
                member("m5", MemberState.STARTING));

        String html = StatusPage.pools(List.of(stats("p", members, List.of(), null, null)), recent, NOW);

        assertThat(html).contains("data-state=\"ready\" data-sandbox=\"m1\"", "data-state=\"leased\" "
                + "data-sandbox=\"m2\"", "data-state=\"retiring\" data-sandbox=\"m3\"", "data-state=\"cleaning\" "
                + "data-sandbox=\"m4\"", "data-state=\"starting\" data-sandbox=\"m5\"");
        assertThat(html.indexOf("data-outcome=\"timeout\"")).isLessThan(html.indexOf("data-outcome=\"ok\""));
        assertThat(html).contains("<tr data-reason=\"max_uses\"><td><time datetime=\"2026-12-01T12:00:00Z\">12:00:00"
                + "</time></td><td>m3</td><td>served reuse.maxUses leases</td></tr>");
        assertThat(html).doesNotContain("class=\"problem\"");
    }

    @Test
    void aPoolInTroubleSaysWhy() {
        PoolStats pool = stats("p", List.of(), List.of(), "cannot reach the Docker daemon", "image not found");

        String html = StatusPage.pools(List.of(pool), new RecentActivity(), NOW);

        assertThat(html).contains("<p class=\"problem\">Backend unavailable: cannot reach the Docker daemon</p>",
                "<p class=\"problem\">Last start failure: image not found</p>", "data-ready=\"Unknown\"",
                "no members");
    }

    @Test
    void activityIsBoundedPerPool() {
        RecentActivity recent = new RecentActivity();
        for (int i = 0; i < RecentActivity.KEPT + 5; i++) {
            recent.executed("p", "m" + i, new ExecutionResult("", "", 0, false, false, i, null));
        }

        assertThat(recent.executions("p")).hasSize(RecentActivity.KEPT)
                .first().extracting(RecentActivity.Execution::member).isEqualTo("m" + (RecentActivity.KEPT + 4));
        assertThat(recent.executions("other")).isEmpty();
    }

    private static MemberInfo member(String name, MemberState state) {
        return new MemberInfo("id-" + name, name, state, 1, 30, null, null, null);
    }

    private static PoolStats stats(String name, List<MemberInfo> members, List<Condition> conditions,
            String backendProblem, String lastStartError) {
        return new PoolStats(name, "docker", "img", 1, 3, members.size(), 0, 0, 0, 0, 0, 2, 0, 0, 0,
                lastStartError, null, members, conditions, backendProblem);
    }
}
