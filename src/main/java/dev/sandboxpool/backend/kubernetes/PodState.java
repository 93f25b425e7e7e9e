package dev.sandboxpool.backend.kubernetes;

import java.util.Arrays;

/**
 * Where a member pod is in its life, as the {@code sandboxpool.dev/state} label says. The label is written only with
 * resourceVersion compare-and-set, so a state change is decided by exactly one process.
 */
public enum PodState {
    /** Created; the operator marks it idle once the kubelet reports it Ready (its health command passed). */
    STARTING("starting"),
    /** Warm and free: a lease API replica may claim it. */
    IDLE("idle"),
    /** Held by one lease (label {@code sandboxpool.dev/lease}, annotations with expiry and holder). */
    LEASED("leased"),
    /** Its lease ended; a clean-up exec runs, then it is idle again (or deleted if the clean-up fails). */
    CLEANING("cleaning"),
    /** Chosen for removal; its delete call follows. Never claimed again. */
    RETIRING("retiring");

    private final String label;

    PodState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The state of a label value; a pod without one (or with an unknown one) is treated as starting. */
    public static PodState ofLabel(String value) {
        return Arrays.stream(values()).filter(s -> s.label.equals(value)).findFirst().orElse(STARTING);
    }
}
