package dev.sandboxpool.backend;

/** Labels every backend puts on members, so that a restarted process can find them (and remove those it left). */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "sandbox-pool";
    public static final String POOL = "sandboxpool.dev/pool";
    public static final String SPEC_HASH = "sandboxpool.dev/spec-hash";
    /** The instance that created a local member ({@link Owner#label()}). */
    public static final String OWNER = "sandboxpool.dev/owner";

    private Labels() {
    }
}
