package dev.sandboxpool.sandbox;

import java.time.Instant;

/**
 * An entry of a sandbox's file system as {@code lstat} sees it.
 *
 * @param path absolute, inside a writable dir
 * @param symlinkTarget the link's target when {@code type} is {@link Type#SYMLINK}, else null
 */
public record FileEntry(String name, String path, Type type, long size, int mode, Instant modified,
        String symlinkTarget) {
    public enum Type { FILE, DIRECTORY, SYMLINK, OTHER }
}
