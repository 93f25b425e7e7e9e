package dev.sandboxpool.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.api.v1alpha1.Condition;
import dev.sandboxpool.pool.MemberInfo;
import dev.sandboxpool.pool.PoolStats;
import io.micronaut.core.annotation.Introspected;
import java.time.Instant;
import java.util.List;

/** A pool as {@code GET /v1/pools[/{pool}]} shows it; members only in the single-pool view. */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolView(String name, String backend, String image, int minSize, int maxSize, int replicas, int ready,
        int leased, int starting, int terminating, int waiting, long executions, String lastStartError,
        Instant backoffUntil, List<Condition> conditions, List<MemberInfo> members) {

    static PoolView of(PoolStats s, boolean withMembers) {
        return new PoolView(s.name(), s.backend(), s.image(), s.minSize(), s.maxSize(), s.replicas(), s.ready(),
                s.leased(), s.starting(), s.terminating(), s.waiters(), s.executions(), s.lastStartError(),
                s.backoffUntil(), s.conditions(), withMembers ? s.members() : null);
    }
}
