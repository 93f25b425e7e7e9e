package dev.sandboxpool.status;

import static dev.sandboxpool.status.Html.escape;

import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.MemberState;
import dev.sandboxpool.pool.PoolStats;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;

/**
 * The status page as HTML, rendered here and only here: the page's script fetches {@link #pools} again and swaps it
 * in, so the page reads the same with scripts off (it then reloads itself) and there is one renderer to escape
 * right. Members are drawn in the five states people talk about: ready, leased, starting, cleaning, retiring.
 */
final class StatusPage {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    /** Rows of recent activity shown per pool and kind. */
    static final int ROWS = 8;

    private StatusPage() {
    }

    /** The whole page, with the pools as they are now; its script keeps them live. */
    static String page(String title, List<PoolStats> pools, RecentActivity recent, Instant now) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%1$s</title>
                <link rel="stylesheet" href="status/app.css">
                <script src="status/app.js" defer></script>
                <noscript><meta http-equiv="refresh" content="5"></noscript>
                </head>
                <body>
                <header class="top"><h1>%1$s</h1><span id="live" data-state="static">updates every 5 s</span></header>
                <main id="pools">%2$s</main>
                <footer>
                <ul class="legend">%3$s</ul>
                <p>Times are UTC. JSON: <a href="v1/pools">/v1/pools</a> · metrics: <a href="metrics">/metrics</a> · \
                API: <a href="openapi.yml">/openapi.yml</a></p>
                </footer>
                </body>
                </html>
                """.formatted(escape(title), pools(pools, recent, now), legend());
    }

    /** Every pool, sorted by name: what the page's script swaps in. */
    static String pools(List<PoolStats> pools, RecentActivity recent, Instant now) {
        StringBuilder html = new StringBuilder();
        html.append("<p class=\"summary\" data-pools=\"").append(pools.size()).append("\">")
                .append(pools.size()).append(pools.size() == 1 ? " pool" : " pools").append(" · as of <time datetime=\"")
                .append(now).append("\">").append(CLOCK.format(now)).append("</time></p>\n");
        if (pools.isEmpty()) {
            html.append("<p class=\"empty\">No pools yet.</p>\n");
        }
        pools.stream().sorted(Comparator.comparing(PoolStats::name)).forEach(p -> pool(html, p, recent));
        return html.toString();
    }

    private static void pool(StringBuilder html, PoolStats p, RecentActivity recent) {
        Condition ready = condition(p, "Ready");
        String readyStatus = ready == null ? "Unknown" : ready.getStatus();
        html.append("<section class=\"pool\" data-pool=\"").append(escape(p.name())).append("\">\n<header><h2>")
                .append(escape(p.name())).append("</h2><span class=\"ready\" data-ready=\"").append(escape(readyStatus))
                .append("\">").append("True".equals(readyStatus) ? "Ready" : "Not ready").append("</span>")
                .append("<span class=\"meta\">").append(escape(p.backend())).append(" · ").append(escape(p.image()))
                .append(" · size ").append(p.minSize()).append("–").append(p.maxSize()).append(" · ")
                .append(p.executions()).append(p.executions() == 1 ? " execution · " : " executions · ").append(p.waiters()).append(" waiting")
                .append("</span></header>\n");
        problems(html, p, ready);
        members(html, p.members());
        html.append("<div class=\"recent\">\n");
        executions(html, recent.executions(p.name()));
        retirements(html, recent.retirements(p.name()));
        html.append("</div>\n</section>\n");
    }

    private static void problems(StringBuilder html, PoolStats p, Condition ready) {
        if (p.backendProblem() != null) {
            problem(html, "Backend unavailable: " + p.backendProblem());
        }
        if (ready != null && !"True".equals(ready.getStatus()) && ready.getMessage() != null) {
            problem(html, ready.getReason() + ": " + ready.getMessage());
        }
        if (p.lastStartError() != null) {
            problem(html, "Last start failure: " + p.lastStartError());
        }
    }

    private static void problem(StringBuilder html, String text) {
        html.append("<p class=\"problem\">").append(escape(text)).append("</p>\n");
    }

    private static void members(StringBuilder html, List<MemberInfo> members) {
        html.append("<ul class=\"members\" aria-label=\"members\">\n");
        if (members.isEmpty()) {
            html.append("<li class=\"none\">no members</li>\n");
        }
        for (MemberInfo m : members) {
            String state = shown(m.state());
            String name = m.sandbox() != null ? m.sandbox() : m.id();
            html.append("<li class=\"member\" data-state=\"").append(state).append("\" data-sandbox=\"")
                    .append(escape(name)).append("\" title=\"").append(escape(name + ": " + state)).append("\">")
                    .append("<span class=\"state\">").append(state).append("</span>")
                    .append("<span class=\"name\">").append(escape(name)).append("</span>")
                    .append("<span class=\"uses\">").append(m.uses()).append(m.uses() == 1 ? " use" : " uses")
                    .append(" · ").append(age(m.ageSeconds())).append("</span></li>\n");
        }
        html.append("</ul>\n");
    }

    private static void executions(StringBuilder html, List<RecentActivity.Execution> rows) {
        html.append("<table class=\"executions\"><caption>Last executions</caption>\n"
                + "<thead><tr><th>at</th><th>member</th><th>outcome</th><th>exit</th><th>ms</th></tr></thead><tbody>\n");
        if (rows.isEmpty()) {
            html.append("<tr><td colspan=\"5\" class=\"none\">none yet</td></tr>\n");
        }
        rows.stream().limit(ROWS).forEach(e -> html.append("<tr data-outcome=\"").append(escape(e.outcome()))
                .append("\"><td>").append(time(e.at())).append("</td><td>").append(escape(e.member()))
                .append("</td><td class=\"outcome\">").append(escape(e.outcome())).append("</td><td>")
                .append(e.exitCode()).append("</td><td>").append(e.durationMs()).append("</td></tr>\n"));
        html.append("</tbody></table>\n");
    }

    private static void retirements(StringBuilder html, List<RecentActivity.Retirement> rows) {
        html.append("<table class=\"retirements\"><caption>Recent retirements</caption>\n"
                + "<thead><tr><th>at</th><th>member</th><th>why</th></tr></thead><tbody>\n");
        if (rows.isEmpty()) {
            html.append("<tr><td colspan=\"3\" class=\"none\">none yet</td></tr>\n");
        }
        rows.stream().limit(ROWS).forEach(r -> html.append("<tr data-reason=\"")
                .append(r.reason().name().toLowerCase()).append("\"").append(r.reason().isProblem()
                        ? " class=\"problem\"" : "").append("><td>").append(time(r.at())).append("</td><td>")
                .append(escape(r.member())).append("</td><td>").append(escape(r.reason().description()))
                .append("</td></tr>\n"));
        html.append("</tbody></table>\n");
    }

    private static String legend() {
        StringBuilder html = new StringBuilder();
        for (MemberState s : MemberState.values()) {
            html.append("<li class=\"member\" data-state=\"").append(shown(s)).append("\"><span class=\"state\">")
                    .append(shown(s)).append("</span><span class=\"name\">").append(meaning(s)).append("</span></li>");
        }
        return html.toString();
    }

    /** The state as the page names it: members being removed are "retiring". */
    static String shown(MemberState s) {
        return s == MemberState.TERMINATING ? "retiring" : s.name().toLowerCase();
    }

    private static String meaning(MemberState s) {
        return switch (s) {
            case STARTING -> "being created or probed";
            case READY -> "warm, can be leased";
            case LEASED -> "held by a lease";
            case CLEANING -> "cleaned after a lease";
            case TERMINATING -> "being removed";
        };
    }

    private static Condition condition(PoolStats p, String type) {
        return p.conditions() == null ? null
                : p.conditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static String time(Instant at) {
        return "<time datetime=\"" + at + "\">" + CLOCK.format(at) + "</time>";
    }

    private static String age(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        return seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }
}
