package io.dm4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one reliability test family (what was tried, what was seen, data lost, leaks),
 * written as {@code NAME.properties} under the module's {@code target/reliability} (unit tests) or
 * {@code reliability} in the real-kernel run's reports folder ({@code -Ddm4j.it.reports}), from
 * which {@code .ci/reliability-report} makes the tables of RELIABILITY.md.
 */
public final class ReliabilityLog {
    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private ReliabilityLog(String name) {
        this.name = name;
    }

    /** A new record for one family, e.g. {@code "crash-safety"}. */
    public static ReliabilityLog of(String name) {
        return new ReliabilityLog(name);
    }

    /** Adds a figure; the order of the calls is the order in the file. */
    public ReliabilityLog put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    /** Writes the record, replacing an earlier one of the same name. */
    public void write() {
        // A real-kernel run writes beside its JUnit reports: the folder the VM may write, and
        // each of dm-api's two runs has its own.
        String reports = System.getProperty("dm4j.it.reports");
        Path dir = reports == null ? Path.of("target", "reliability") : Path.of(reports, "reliability");
        StringBuilder text = new StringBuilder("# ").append(name).append(", ").append(Instant.now())
                .append(", kernel ").append(kernel()).append('\n');
        figures.forEach((k, v) -> text.append(k).append('=').append(String.valueOf(v).replace('\n', ' ')).append('\n'));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".properties"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
