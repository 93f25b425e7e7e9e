package dev.sandboxpool.pool;

import java.time.Instant;

/**
 * What the planner knows of one member, copied at one instant.
 *
 * @param readySince when it last became ready (idle since then), or null when not ready
 * @param lastProbeAt when its last health probe ended, or null when never probed
 * @param probeFailures consecutive failed probes
 * @param busy a probe, clean-up or creation of it is under way: the planner starts nothing else on it
 */
public record MemberSnapshot(String id, MemberState state, String specHash, Instant createdAt, Instant readySince,
        int uses, Instant lastProbeAt, int probeFailures, boolean busy) {
}
