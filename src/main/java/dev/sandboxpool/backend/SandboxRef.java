package dev.sandboxpool.backend;

import java.time.Instant;

/**
 * A member as the backend sees it. {@code running} is false for exited, killed or dead containers and pods;
 * {@code owner} is the {@link Owner#label()} of the instance that created it, null where the backend keeps none.
 */
public record SandboxRef(String id, String name, String pool, String specHash, Instant createdAt, boolean running,
        String owner) {

    public SandboxRef(String id, String name, String pool, String specHash, Instant createdAt, boolean running) {
        this(id, name, pool, specHash, createdAt, running, null);
    }
}
