package io.dm4j.status;

import io.dm4j.TargetStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The status lines recorded from real kernels by {@code status-fixtures/capture.sh}. */
final class Fixtures {
    private Fixtures() {}

    /**
     * One recorded line.
     *
     * @param kernel the kernel release it came from (the file name)
     * @param label what state the target was in
     * @param status the line as {@code dmsetup status} printed it
     */
    record Line(String kernel, String label, TargetStatus status) {
        @Override
        public String toString() {
            return kernel + " " + label;
        }
    }

    static List<Line> all() {
        List<Line> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(Fixtures.class.getResource("/status-fixtures").toURI()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".status")).sorted().toList()) {
                String kernel = file.getFileName().toString().replace(".status", "");
                for (String raw : Files.readAllLines(file)) {
                    if (!raw.startsWith("#") && !raw.isBlank()) {
                        lines.add(parse(kernel, raw));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException("no status fixtures found under /status-fixtures");
        }
        return lines;
    }

    /** {@code label TAB start length type status}, as {@code dmsetup status} splits its fields. */
    static Line parse(String kernel, String raw) {
        int tab = raw.indexOf('\t');
        String[] f = raw.substring(tab + 1).split(" ", 4);
        return new Line(kernel, raw.substring(0, tab),
                new TargetStatus(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], f.length > 3 ? f[3] : ""));
    }
}
