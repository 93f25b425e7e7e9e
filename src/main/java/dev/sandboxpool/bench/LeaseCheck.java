package dev.sandboxpool.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether any sandbox served two leases at once, judged from inside the sandboxes. Each one-shot execution runs
 * {@link #CODE}: it prints 1 as the measured scenario does, then its start and end by the pod's clock and how many
 * marker files of other executions it found in the work dir before it left its own.
 *
 * <p>Two signs of a sandbox held twice, each sufficient, neither necessary: two executions in one sandbox whose
 * intervals overlap (they ran at once), and a marker found at start (another execution's work dir had not been
 * cleaned: it was still under way, or the clean-up between leases missed it, which is as bad). The API's answer
 * names the sandbox but carries no lease times, and the caller's own send-to-answer intervals overlap on a busy
 * sandbox without any fault (a release is answered after the next caller may hold it), so they prove nothing.
 */
final class LeaseCheck {
    static final String MARKER = "bench-lease-";
    /** Python; the marker name carries the start time, unique within a sandbox unless two start in one nanosecond. */
    static final String CODE = "import os,time\n"
            + "a=time.time_ns()\n"
            + "seen=sum(1 for n in os.listdir('.') if n.startswith('" + MARKER + "'))\n"
            + "open('" + MARKER + "%d' % a,'x').close()\n"
            + "print(1)\n"
            + "print(a,time.time_ns(),seen)\n";

    private LeaseCheck() {
    }

    /** One execution as the sandbox saw it. */
    record Sample(String sandbox, long startNs, long endNs, int markersSeen) {
    }

    /**
     * @param overlapping executions that started in a sandbox while an earlier one there had not ended
     * @param unclean executions that found another execution's marker
     */
    record Result(int samples, int sandboxes, int overlapping, int unclean) {
        boolean doubleLeased() {
            return overlapping > 0 || unclean > 0;
        }
    }

    /** Reads the output of {@link #CODE}; fails on anything else, which would be a wrong answer. */
    static Sample parse(String sandbox, String stdout) {
        String[] lines = stdout.split("\n");
        if (sandbox == null || sandbox.isEmpty() || lines.length != 2 || !lines[0].equals("1")) {
            throw new IllegalStateException("unexpected answer from " + sandbox + ": " + stdout);
        }
        String[] f = lines[1].trim().split(" ");
        if (f.length != 3) {
            throw new IllegalStateException("unexpected answer from " + sandbox + ": " + stdout);
        }
        return new Sample(sandbox, Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]));
    }

    static Result check(Collection<Sample> samples) {
        Map<String, List<Sample>> bySandbox = new HashMap<>();
        int unclean = 0;
        for (Sample s : samples) {
            bySandbox.computeIfAbsent(s.sandbox(), k -> new ArrayList<>()).add(s);
            if (s.markersSeen() > 0) {
                unclean++;
            }
        }
        int overlapping = 0;
        for (List<Sample> runs : bySandbox.values()) {
            runs.sort(Comparator.comparingLong(Sample::startNs));
            long latestEnd = Long.MIN_VALUE;
            for (Sample s : runs) {
                if (s.startNs() < latestEnd) {
                    overlapping++;
                }
                latestEnd = Math.max(latestEnd, s.endNs());
            }
        }
        return new Result(samples.size(), bySandbox.size(), overlapping, unclean);
    }
}
