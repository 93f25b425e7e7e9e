package dev.sandboxpool.pool;

import java.time.Instant;

/** One member as the API and logs show it. */
public record MemberInfo(String id, String sandbox, MemberState state, int uses, long ageSeconds,
        Instant lastProbeAt, Boolean lastProbeOk, String lastProbeError) {
}
