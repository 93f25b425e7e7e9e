package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.sandbox.FileEntry;
import io.micronaut.core.annotation.Introspected;
import java.time.Instant;
import java.util.List;

/**
 * An entry of the sandbox's file system as {@code lstat} sees it (a link described, not followed). The views of
 * this package state their inclusion: Micronaut's Jackson leaves empty strings and lists out by default, and the
 * API's shapes keep them (an empty {@code stderr}, no {@code entries}); only absent values (null) are left out.
 */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileView(String name, String path, FileEntry.Type type, long size, int mode, Instant modifiedAt,
        String symlinkTarget) {

    static FileView of(FileEntry e) {
        return new FileView(e.name(), e.path(), e.type(), e.size(), e.mode(), e.modified(), e.symlinkTarget());
    }

    /** {@code GET .../files/list}: the entries below a directory. */
    @Introspected
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Listing(List<FileView> entries) {
        static Listing of(List<FileEntry> entries) {
            return new Listing(entries.stream().map(FileView::of).toList());
        }
    }
}
