package dev.sandboxpool.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The logs of every container of the operator pods, kept in one file per namespace, and what in them shows the API
 * server refused a call: a 403 status or "Forbidden". A refused call means the chart's RBAC lacks a rule the code
 * needs; the processes often log it and carry on, so only their logs show it.
 */
final class ContainerLogs {
    /** 403 as a number of its own: not the milliseconds of a timestamp (…:13.403) nor part of an id. */
    private static final Pattern REFUSED = Pattern.compile("(?i)forbidden|(?<![\\w.:-])403(?![\\w.-])");
    private final Path file;

    ContainerLogs(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Appends what {@code text} (the logs of one container) holds, under a heading naming it. */
    void add(String heading, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "===== " + heading + "\n" + text + (text.endsWith("\n") ? "" : "\n"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines that show a refused call, each with the container it came from. */
    List<String> refusals() {
        List<String> found = new ArrayList<>();
        if (!Files.exists(file)) {
            return found;
        }
        String container = "";
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("===== ")) {
                    container = line.substring(6);
                } else if (REFUSED.matcher(line).find()) {
                    found.add(container + ": " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
