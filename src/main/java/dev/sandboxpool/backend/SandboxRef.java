package dev.sandboxpool.backend;

import java.time.Instant;

/** A member as the backend sees it. {@code running} is false for exited, killed or dead containers and pods. */
public record SandboxRef(String id, String name, String pool, String specHash, Instant createdAt, boolean running) {
}
