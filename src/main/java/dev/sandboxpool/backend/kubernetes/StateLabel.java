package dev.sandboxpool.backend.kubernetes;

import dev.sandboxpool.pool.MemberState;
import java.util.Arrays;
import java.util.Map;

/**
 * How a member pod's {@link MemberState} is written in its {@code sandboxpool.dev/state} label: the one vocabulary
 * of member states, in both modes, with the label values the pods have always carried ({@code idle} for ready,
 * {@code retiring} for terminating). The label is written only with resourceVersion compare-and-set, so a state
 * change is decided by exactly one process.
 */
public final class StateLabel {
    private static final Map<MemberState, String> VALUES = Map.of(
            MemberState.STARTING, "starting",
            MemberState.READY, "idle",
            MemberState.LEASED, "leased",
            MemberState.CLEANING, "cleaning",
            MemberState.TERMINATING, "retiring");

    private StateLabel() {
    }

    public static String of(MemberState state) {
        return VALUES.get(state);
    }

    /** The state a label value says; a pod without one (or with an unknown one) is taken as starting. */
    public static MemberState parse(String value) {
        return Arrays.stream(MemberState.values()).filter(s -> VALUES.get(s).equals(value)).findFirst()
                .orElse(MemberState.STARTING);
    }
}
