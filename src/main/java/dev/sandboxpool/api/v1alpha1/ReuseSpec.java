package dev.sandboxpool.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class ReuseSpec {
    @Default("Recycle")
    @JsonPropertyDescription("Recycle (cleaned and returned after each lease) or SingleUse (destroyed and replaced).")
    private ReusePolicy policy = ReusePolicy.Recycle;

    @Min(1)
    @Default("100")
    @JsonPropertyDescription("With Recycle: leases a member serves before it is replaced. Each member stops up to a "
            + "tenth earlier (picked by its name), so members started together are not all replaced at once.")
    private int maxUses = 100;

    public ReusePolicy getPolicy() {
        return policy;
    }

    public void setPolicy(ReusePolicy policy) {
        this.policy = policy;
    }

    public int getMaxUses() {
        return maxUses;
    }

    public void setMaxUses(int maxUses) {
        this.maxUses = maxUses;
    }
}
