package dev.sandboxpool.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The benchmark's result table: Markdown with padded columns, printed and written to a file. */
final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header;
    }

    void add(String... row) {
        insert(rows.size(), row);
    }

    /** The number of rows so far: where {@link #insert} puts a row measured later beside those before it. */
    int size() {
        return rows.size();
    }

    void insert(int at, String... row) {
        if (row.length != header.length) {
            throw new IllegalArgumentException(row.length + " cells for " + header.length + " columns");
        }
        rows.add(at, row);
    }

    String render() {
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] width = new int[header.length];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : all) {
            out.append('|');
            for (int i = 0; i < r.length; i++) {
                out.append(' ').append(r[i]).append(" ".repeat(width[i] - r[i].length())).append(" |");
            }
            out.append('\n');
            if (r == header) {
                out.append('|');
                for (int w : width) {
                    out.append("-".repeat(w + 2)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    void printAndWrite(Path file) {
        String text = render();
        System.out.print(text);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Milliseconds and rates: whole numbers from 100 up, two decimals below. */
    static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double value, double base) {
        return String.format(Locale.ROOT, "%.2fx", value / base);
    }
}
