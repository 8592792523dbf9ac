package io.dm4j.cli;

import io.dm4j.InvalidArgumentException;
import io.dm4j.target.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Reads and parses the table (from the command's standard input if neither an option nor {@code positionalFile} names one), before any ioctl. */
    Table read(DeviceCommand command, Path positionalFile) throws IOException {
        if ((table != null ? 1 : 0) + (file != null ? 1 : 0) + (positionalFile != null ? 1 : 0) > 1) {
            throw new InvalidArgumentException("table", "comes from one of --table, --table-file or a TABLE_FILE argument");
        }
        Path file = this.file != null ? this.file : positionalFile;
        String text;
        if (table != null) {
            text = table;
        } else if (file != null) {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } else {
            text = new String(command.stdin(), StandardCharsets.UTF_8);
        }
        // dmsetup's text rules; types dm4j does not know go to the kernel as they are
        return Table.parse(text);
    }
}
