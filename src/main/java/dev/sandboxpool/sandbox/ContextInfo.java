package dev.sandboxpool.sandbox;

/** A Python context of a lease. */
public record ContextInfo(String id, String language, String cwd) {
}
