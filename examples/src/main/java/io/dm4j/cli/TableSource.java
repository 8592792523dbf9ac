package io.dm4j.cli;

import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a table comes from, as with dmsetup: {@code --table}, {@code --table-file}, or standard input. */
final class TableSource {
    @Option(names = "--table", paramLabel = "LINES",
            description = "The table: one or more lines 'start length type params', newline-separated.")
    String table;

    @Option(names = "--table-file", paramLabel = "FILE", description = "Read the table from this file.")
    Path file;

    boolean given() {
        return table != null || file != null;
    }

    /** Reads and parses the table (from {@code stdin} if no option names one), before any ioctl. */
    List<TargetLine> read(InputStream stdin) throws IOException {
        if (table != null && file != null) {
            throw new InvalidArgumentException("table", "comes from --table or --table-file, not both");
        }
        String text;
        if (table != null) {
            text = table;
        } else if (file != null) {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } else {
            text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        }
        return parse(text);
    }

    /**
     * The table text format of {@code dmsetup create}: blank lines and {@code #} comments skipped,
     * surrounding space trimmed, then {@code start length type params}.
     */
    static List<TargetLine> parse(String text) {
        List<TargetLine> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i].strip();
            int comment = line.indexOf('#');
            if (comment >= 0) {
                line = line.substring(0, comment).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+", 4);
            if (f.length < 3) {
                throw new InvalidTableException("line " + (i + 1), "must be 'start length type [params]': " + line);
            }
            lines.add(new TargetLine(number(f[0], i, "start"), number(f[1], i, "length"), f[2],
                    f.length == 4 ? f[3] : ""));
        }
        if (lines.isEmpty()) {
            throw new InvalidTableException("table", "has no target lines");
        }
        long next = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).start() != next) {
                throw new InvalidTableException("line " + (i + 1) + " start",
                        "must be " + next + " (contiguous from sector 0), got " + lines.get(i).start());
            }
            next = lines.get(i).start() + lines.get(i).length();
        }
        return lines;
    }

    private static long number(String s, int line, String field) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InvalidTableException("line " + (line + 1) + " " + field, "must be a number of sectors, got " + s);
        }
    }
}
