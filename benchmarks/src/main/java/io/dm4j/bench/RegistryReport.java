package io.dm4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the registry benchmarks' table from JMH JSON files: acquire+release per tracking level,
 * leak detection and thread count, and the wake-up latency percentiles against polling.
 * Usage: {@code RegistryReport ACQUIRE_JSON... --wakeup WAKEUP_JSON}.
 */
public final class RegistryReport {
    static final double ACQUIRE_GOAL_NS = 25;
    static final double WAKEUP_P99_GOAL_US = 1000;

    private RegistryReport() {}

    /**
     * The registry part of a run: the uncontended acquire+release (tracking COUNT, no leak
     * detection, 1 thread), the wake-up p99 of notification and of polling, the tables.
     */
    record Registry(double acquireNs, double wakeP99Us, double pollP99Us, String markdown, String summary) {}

    public static void main(String[] args) throws IOException {
        List<Path> acquire = new ArrayList<>();
        Path wakeup = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--wakeup") && i + 1 < args.length) {
                wakeup = Path.of(args[++i]);
            } else {
                acquire.add(Path.of(args[i]));
            }
        }
        if (wakeup == null) {
            throw new IllegalArgumentException("usage: RegistryReport ACQUIRE_JSON... --wakeup WAKEUP_JSON");
        }
        Registry r = parse(acquire, wakeup);
        System.out.print(r.markdown);
        System.out.println(r.summary);
    }

    static Registry parse(List<Path> acquireFiles, Path wakeupFile) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| acquire+release | threads | ns/op | ± error |\n|---|---:|---:|---:|\n");
        double uncontended = Double.NaN;
        for (Path file : acquireFiles) {
            for (Report.Result r : Report.results(file)) {
                String config = "tracking " + r.param("tracking") + ", leak detection " + r.param("leakDetection");
                if (r.threads() == 1 && "COUNT".equals(r.param("tracking")) && "false".equals(r.param("leakDetection"))) {
                    uncontended = r.score();
                }
                out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", config, r.threads(), r.score(),
                        r.error()));
            }
        }
        out.append("\n| wake-up after the last release | p50 µs | p90 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|\n");
        double notifyP99 = Double.NaN;
        double pollP99 = Double.NaN;
        for (Report.Result r : Report.results(wakeupFile)) {
            String wait = r.param("wait");
            double p99 = r.percentile("99.0");
            if ("notify".equals(wait)) {
                notifyP99 = p99;
            } else {
                pollP99 = p99;
            }
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n",
                    "notify".equals(wait) ? "dm4j: notification (unpark)" : "seed: poll with 1 ms sleep",
                    r.percentile("50.0"), r.percentile("90.0"), p99, r.percentile("99.9")));
        }
        out.append(String.format(Locale.ROOT, "%ngoal acquire+release <= %.0f ns (uncontended, tracking COUNT): %s (%.1f ns)%n",
                ACQUIRE_GOAL_NS, uncontended <= ACQUIRE_GOAL_NS ? "met" : "MISSED", uncontended));
        out.append(String.format(Locale.ROOT, "goal wake-up p99 <= 1 ms: %s (%.1f µs; polling %.1f µs)%n",
                notifyP99 <= WAKEUP_P99_GOAL_US ? "met" : "MISSED", notifyP99, pollP99));
        String summary = String.format(Locale.ROOT, "summary: acquire=%.1fns wake-p99=%.0fus poll-p99=%.0fus",
                uncontended, notifyP99, pollP99);
        return new Registry(uncontended, notifyP99, pollP99, out.toString(), summary);
    }
}
