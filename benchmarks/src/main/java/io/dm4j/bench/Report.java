package io.dm4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one benchmarks/run into a table: JMH's JSON results ({@code -rf json}, with {@code -prof gc})
 * plus the output of the C reference program. Plain Java, so the run script needs no python or jq.
 *
 * <p>Usage: {@code Report --jmh FILE --c FILE [--c FILE ...] [--out FILE] [--title TEXT]}. The C
 * figure is the median of every "round" line of every {@code --c} file (the script runs the C
 * program before and after JMH).
 */
public final class Report {

    /** Goal from the issue: FFM at most this many times the C time. */
    static final double FFM_RATIO_GOAL = 1.15;
    /** ffm-nonblocking: FFM's path for requests that cannot sleep (Syscalls.ioctlNonBlocking). */
    private static final String[] BACKENDS = {"ffm", "ffm-nonblocking", "jnr", "jna"};

    private Report() {}

    public static void main(String[] args) throws IOException {
        Path jmh = null;
        Path out = null;
        String title = "ioctl(FIONREAD) on a regular file";
        List<Path> cFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--jmh" -> jmh = Path.of(require(args[i], value));
                case "--c" -> cFiles.add(Path.of(require(args[i], value)));
                case "--out" -> out = Path.of(require(args[i], value));
                case "--title" -> title = require(args[i], value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (jmh == null || cFiles.isEmpty()) {
            throw new IllegalArgumentException("usage: Report --jmh FILE --c FILE [--c FILE ...] [--out FILE]");
        }
        String text = render(title, Files.readString(jmh), cFiles);
        System.out.print(text);
        if (out != null) {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** One JMH result row, as the tables need it. */
    record Row(String name, double score, double error, String unit, double allocNorm) {}

    /** One result of a JMH JSON file: the benchmark's full name, its parameters and metrics. */
    record Result(String benchmark, Map<?, ?> params, int threads, double score, double error, String unit,
            double allocNorm, Map<?, ?> percentiles, String jvm, List<?> jvmArgs) {

        /** The method name: {@code encodeTable} for {@code io.dm4j.internal.ioctl.CodecBench.encodeTable}. */
        String method() {
            return benchmark.substring(benchmark.lastIndexOf('.') + 1);
        }

        String param(String key) {
            Object v = params == null ? null : params.get(key);
            return v == null ? null : String.valueOf(v);
        }

        double percentile(String key) {
            return percentiles == null ? Double.NaN : number(percentiles.get(key));
        }
    }

    /** Every result of a JMH JSON file ({@code -rf json}); B/op is NaN without {@code -prof gc}. */
    static List<Result> results(String jmhJson) {
        List<Result> out = new ArrayList<>();
        for (Object o : (List<?>) new Json(jmhJson).parse()) {
            Map<?, ?> result = (Map<?, ?>) o;
            Map<?, ?> primary = (Map<?, ?>) result.get("primaryMetric");
            Map<?, ?> secondary = (Map<?, ?>) result.get("secondaryMetrics");
            double alloc = Double.NaN;
            if (secondary != null && secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm) {
                alloc = number(norm.get("score"));
            }
            String jvm = result.get("jdkVersion") + " (" + result.get("vmName") + " " + result.get("vmVersion") + ")";
            out.add(new Result((String) result.get("benchmark"), (Map<?, ?>) result.get("params"),
                    (int) number(result.get("threads")), number(primary.get("score")),
                    number(primary.get("scoreError")), (String) primary.get("scoreUnit"), alloc,
                    (Map<?, ?>) primary.get("scorePercentiles"), jvm, (List<?>) result.get("jvmArgs")));
        }
        return out;
    }

    static List<Result> results(Path jmhJson) throws IOException {
        return results(Files.readString(jmhJson));
    }

    /** The C reference: the median, best and worst of every "round" line of the given outputs. */
    record CReference(double median, double best, double worst, int rounds, List<String> runs) {}

    static CReference cReference(List<Path> cFiles) throws IOException {
        List<Double> rounds = new ArrayList<>();
        List<String> cRuns = new ArrayList<>();
        for (Path f : cFiles) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("round ")) {
                    rounds.add(Double.parseDouble(field(line, "ns_per_op")));
                } else if (line.startsWith("result ")) {
                    cRuns.add(field(line, "median_ns_per_op"));
                }
            }
        }
        if (rounds.isEmpty()) {
            throw new IllegalStateException("no C rounds in " + cFiles);
        }
        rounds.sort(null);
        int n = rounds.size();
        double c = n % 2 == 1 ? rounds.get(n / 2) : (rounds.get(n / 2 - 1) + rounds.get(n / 2)) / 2;
        return new CReference(c, rounds.get(0), rounds.get(n - 1), n, cRuns);
    }

    /** The bridge part of a run: the C reference, the rows by backend, the table and summary. */
    record Bridge(CReference c, Map<String, Row> rows, String jvm, List<?> jvmArgs, String markdown, String summary) {

        /** Time of {@code backend} over C's; NaN if it did not run. */
        double ratio(String backend) {
            Row r = rows.get(backend);
            return r == null ? Double.NaN : r.score / c.median;
        }

        double alloc(String backend) {
            Row r = rows.get(backend);
            return r == null ? Double.NaN : r.allocNorm;
        }
    }

    static String render(String title, String jmhJson, List<Path> cFiles) throws IOException {
        return bridge(title, jmhJson, cFiles).markdown;
    }

    static Bridge bridge(String title, String jmhJson, List<Path> cFiles) throws IOException {
        CReference cRef = cReference(cFiles);
        double c = cRef.median;
        Map<String, Row> rows = new LinkedHashMap<>();
        String jvm = "?";
        List<?> jvmArgs = List.of();
        for (Result result : results(jmhJson)) {
            jvm = result.jvm;
            jvmArgs = result.jvmArgs == null ? List.of() : result.jvmArgs;
            String benchmark = result.benchmark;
            String name = result.param("backend") != null
                    ? result.param("backend")
                    : benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            rows.put(name, new Row(name, result.score, result.error, result.unit, result.allocNorm));
        }

        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(title).append("\n\n");
        sb.append("| call | ns/op | ± error (99.9%) | ratio to C | B/op (gc.alloc.rate.norm) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| C, gcc -O2 (median of %d rounds) | %.1f | best %.1f, worst %.1f | 1.00 | n/a |%n",
                cRef.rounds, c, cRef.best, cRef.worst));
        StringBuilder summary = new StringBuilder("summary:");
        for (String backend : BACKENDS) {
            Row r = rows.get(backend);
            if (r == null) {
                sb.append("| ").append(backend).append(" | not run | | | |\n");
                summary.append(' ').append(backend).append("/c=n/a");
                continue;
            }
            double ratio = r.score / c;
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %s |%n", backend, r.score, r.error,
                    ratio, bytes(r.allocNorm)));
            summary.append(String.format(Locale.ROOT, " %s/c=%.2f", backend, ratio));
        }
        for (Row r : rows.values()) {
            if (!List.of(BACKENDS).contains(r.name)) {
                sb.append(String.format(Locale.ROOT, "| Java reference: %s (no native call) | %.1f | %.1f | | %s |%n",
                        r.name, r.score, r.error, bytes(r.allocNorm)));
            }
        }
        Row ffm = rows.get("ffm");
        if (ffm != null) {
            summary.append(" ffm-alloc=").append(Double.isNaN(ffm.allocNorm) ? "n/a" : Math.round(ffm.allocNorm) + "B/op");
        }
        sb.append('\n');
        sb.append("C runs (median ns/op of each invocation): ").append(String.join(", ", cRef.runs)).append('\n');
        sb.append("JVM: ").append(jvm).append('\n');
        if (ffm != null) {
            double ratio = ffm.score / c;
            sb.append(String.format(Locale.ROOT, "goal FFM <= %.2fx C: %s (%.2fx)%n", FFM_RATIO_GOAL,
                    ratio <= FFM_RATIO_GOAL ? "met" : "MISSED", ratio));
            sb.append(String.format(Locale.ROOT, "goal FFM 0 B/op: %s (%s B/op)%n",
                    allocFree(ffm.allocNorm) ? "met" : "MISSED", bytes(ffm.allocNorm)));
        }
        sb.append(summary).append('\n');
        return new Bridge(cRef, rows, jvm, jvmArgs, sb.toString(), summary.toString());
    }

    /** JMH's gc.alloc.rate.norm rounds to 0 bytes: allocation-free (what is left is measurement noise). */
    static boolean allocFree(double allocNorm) {
        return !Double.isNaN(allocNorm) && Math.round(allocNorm) == 0;
    }

    static String bytes(double v) {
        return Double.isNaN(v) ? "n/a (run without -prof gc)" : String.format(Locale.ROOT, "%.3f", v);
    }

    static double number(Object o) {
        if (o instanceof Number d) {
            return d.doubleValue();
        }
        if (o instanceof String s) { // JMH writes "NaN" as a string
            return s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
        }
        return Double.NaN;
    }

    private static String field(String line, String key) {
        for (String part : line.trim().split("\\s+")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        throw new IllegalStateException("no " + key + "= in: " + line);
    }

    /** Just enough JSON for JMH's result file: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            space();
            if (i != s.length()) {
                throw error("trailing data");
            }
            return v;
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char ch = s.charAt(i);
            switch (ch) {
                case '{': {
                    i++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    space();
                    if (s.charAt(i) == '}') {
                        i++;
                        return map;
                    }
                    while (true) {
                        space();
                        String key = string();
                        space();
                        expect(':');
                        map.put(key, value());
                        space();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect('}');
                            return map;
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> list = new ArrayList<>();
                    space();
                    if (s.charAt(i) == ']') {
                        i++;
                        return list;
                    }
                    while (true) {
                        list.add(value());
                        space();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect(']');
                            return list;
                        }
                    }
                }
                case '"':
                    return string();
                default:
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("unexpected character '" + ch + "'");
                    }
                    return Double.parseDouble(s.substring(start, i));
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    return b.toString();
                }
                if (ch == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(ch);
                }
            }
        }

        private void expect(char ch) {
            if (i >= s.length() || s.charAt(i) != ch) {
                throw error("expected '" + ch + "'");
            }
            i++;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalStateException error(String what) {
            return new IllegalStateException("JMH JSON: " + what + " at offset " + i);
        }
    }
}
