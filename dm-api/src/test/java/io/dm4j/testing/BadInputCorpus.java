package io.dm4j.testing;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The bad-input corpus, {@code io/dm4j/reliability/bad-input-corpus.txt}: malformed inputs for the
 * API and for dmctl, one case per line (the file's header describes the format).
 */
public final class BadInputCorpus {
    private BadInputCorpus() {}

    /** The resource the corpus lives in, on the test class path (dm-api's test-jar). */
    public static final String RESOURCE = "/io/dm4j/reliability/bad-input-corpus.txt";

    /**
     * One case.
     *
     * @param line its line number in the file
     * @param surface {@code api} or {@code dmctl}
     * @param expected the exception's simple class name, or dmctl's exit status
     * @param local true if dm4j must refuse it without any ioctl
     * @param operation what to run
     * @param args its arguments as written in the file (escaped, placeholders in)
     */
    public record Case(int line, String surface, String expected, boolean local, String operation, List<String> args) {
        /**
         * The arguments with placeholders ({@code @dev} ...) replaced, still escaped: unescaping is
         * left to the caller, as some are hundreds of megabytes once unescaped.
         */
        public List<String> escapedArgs(Map<String, String> placeholders) {
            return args.stream().map(a -> substitute(a, placeholders::get)).toList();
        }

        @Override
        public String toString() {
            return "line " + line + ": " + operation + " " + args + " -> " + expected;
        }
    }

    /**
     * Puts things back after a case that changed them, so that one failure does not hide the next:
     * removes this run's new devices, drops an inactive table of {@code dev}, resumes it.
     */
    public static void restore(DeviceMapper dm, String dev, List<DeviceListEntry> devices) throws IOException {
        for (DeviceListEntry e : dm.list(RealKernel.prefix(), "")) {
            if (!devices.contains(e) && !e.name().equals(dev)) {
                dm.remove(e.name());
            }
        }
        if (dm.info(dev).hasInactiveTable()) {
            dm.clear(dev);
        }
        dm.resume(dev);
    }

    /** Every case of one surface. */
    public static List<Case> load(String surface) {
        try (InputStream in = BadInputCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            List<Case> cases = new ArrayList<>();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String raw = lines[i];
                if (raw.isBlank() || raw.startsWith("#")) {
                    continue;
                }
                List<String> cols = split(raw);
                if (cols.size() < 4 || !(cols.get(2).equals("local") || cols.get(2).equals("kernel"))) {
                    throw new IllegalStateException(RESOURCE + " line " + (i + 1) + " is malformed: " + raw);
                }
                if (cols.get(0).equals(surface)) {
                    cases.add(new Case(i + 1, cols.get(0), cols.get(1), cols.get(2).equals("local"), cols.get(3),
                            List.copyOf(cols.subList(4, cols.size()))));
                }
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits on unescaped '|' and trims each column. */
    private static List<String> split(String line) {
        List<String> cols = new ArrayList<>();
        StringBuilder col = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '\\' && i + 1 < line.length()) {
                col.append(ch).append(line.charAt(++i));
            } else if (ch == '|') {
                cols.add(col.toString().strip());
                col.setLength(0);
            } else {
                col.append(ch);
            }
        }
        cols.add(col.toString().strip());
        return cols;
    }

    /** Escapes and {@code {N*text}} repetitions; {@code @null} becomes null. */
    public static String unescape(String s) {
        if (s.equals("@null")) {
            return null;
        }
        if (s.startsWith("{") && s.indexOf('}') == s.length() - 1) {
            int star = s.indexOf('*'); // a whole argument of repetitions: allocated once, exactly
            return unescape(s.substring(star + 1, s.length() - 1)).repeat(Integer.parseInt(s.substring(1, star)));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '{') {
                int star = s.indexOf('*', i);
                int end = s.indexOf('}', i);
                int times = Integer.parseInt(s.substring(i + 1, star));
                out.append(unescape(s.substring(star + 1, end)).repeat(times));
                i = end;
            } else if (ch == '\\') {
                char e = s.charAt(++i);
                switch (e) {
                    case '0' -> out.append('\0');
                    case 't' -> out.append('\t');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 'e' -> out.append('\u001b');
                    case 's' -> out.append(' ');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** Replaces {@code @word} placeholders the map knows; others stay. */
    private static String substitute(String s, UnaryOperator<String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int at = s.indexOf('@', i);
            if (at < 0) {
                break;
            }
            int end = at + 1;
            while (end < s.length() && Character.isLetterOrDigit(s.charAt(end))) {
                end++;
            }
            String value = values.apply(s.substring(at + 1, end));
            out.append(s, i, at).append(value == null ? s.substring(at, end) : value);
            i = end;
        }
        return out.append(s.substring(i)).toString();
    }
}
