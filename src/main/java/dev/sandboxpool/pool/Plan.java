package dev.sandboxpool.pool;

import java.util.List;
import java.util.Map;

/** What the pool should do now: create members, retire some (with the reason), probe some. */
public record Plan(int create, Map<String, RetireReason> retire, List<String> probe) {
    public Plan {
        retire = Map.copyOf(retire);
        probe = List.copyOf(probe);
    }

    public boolean isEmpty() {
        return create == 0 && retire.isEmpty() && probe.isEmpty();
    }
}
