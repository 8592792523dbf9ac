package io.dm4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the registry benchmarks' table from JMH JSON files: acquire+release per tracking level,
 * leak detection and thread count, and the wake-up latency percentiles against polling.
 * Usage: {@code RegistryReport ACQUIRE_JSON... --wakeup WAKEUP_JSON}.
 */
public final class RegistryReport {
    static final double ACQUIRE_GOAL_NS = 25;
    static final double WAKEUP_P99_GOAL_US = 1000;

    private RegistryReport() {}

    public static void main(String[] args) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| acquire+release | threads | ns/op | ± error |\n|---|---:|---:|---:|\n");
        double uncontended = Double.NaN;
        int i = 0;
        for (; i < args.length && !args[i].equals("--wakeup"); i++) {
            for (Object o : results(args[i])) {
                Map<?, ?> r = (Map<?, ?>) o;
                Map<?, ?> p = (Map<?, ?>) r.get("params");
                Map<?, ?> m = (Map<?, ?>) r.get("primaryMetric");
                int threads = (int) num(r.get("threads"));
                double score = num(m.get("score"));
                String config = "tracking " + p.get("tracking") + ", leak detection " + p.get("leakDetection");
                if (threads == 1 && "COUNT".equals(p.get("tracking")) && "false".equals(p.get("leakDetection"))) {
                    uncontended = score;
                }
                out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", config, threads, score,
                        num(m.get("scoreError"))));
            }
        }
        out.append("\n| wake-up after the last release | p50 µs | p90 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|\n");
        double notifyP99 = Double.NaN;
        double pollP99 = Double.NaN;
        for (Object o : results(args[i + 1])) {
            Map<?, ?> r = (Map<?, ?>) o;
            String wait = (String) ((Map<?, ?>) r.get("params")).get("wait");
            Map<?, ?> pct = (Map<?, ?>) ((Map<?, ?>) r.get("primaryMetric")).get("scorePercentiles");
            double p99 = num(pct.get("99.0"));
            if (wait.equals("notify")) {
                notifyP99 = p99;
            } else {
                pollP99 = p99;
            }
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n",
                    wait.equals("notify") ? "dm4j: notification (unpark)" : "seed: poll with 1 ms sleep",
                    num(pct.get("50.0")), num(pct.get("90.0")), p99,
                    num(pct.get("99.9"))));
        }
        out.append(String.format(Locale.ROOT, "%ngoal acquire+release <= %.0f ns (uncontended, tracking COUNT): %s (%.1f ns)%n",
                ACQUIRE_GOAL_NS, uncontended <= ACQUIRE_GOAL_NS ? "met" : "MISSED", uncontended));
        out.append(String.format(Locale.ROOT, "goal wake-up p99 <= 1 ms: %s (%.1f µs; polling %.1f µs)%n",
                notifyP99 <= WAKEUP_P99_GOAL_US ? "met" : "MISSED", notifyP99, pollP99));
        out.append(String.format(Locale.ROOT, "summary: acquire=%.1fns wake-p99=%.0fus poll-p99=%.0fus%n",
                uncontended, notifyP99, pollP99));
        System.out.print(out);
    }

    /** JSON numbers arrive as text or numbers, depending on the parser's path. */
    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
    }

    private static List<?> results(String file) throws IOException {
        return (List<?>) new Report.Json(Files.readString(Path.of(file))).parse();
    }
}
