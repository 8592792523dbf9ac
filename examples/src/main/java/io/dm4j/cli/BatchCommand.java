package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dmctl batch}: many commands for one JVM start and one open control node. Each line is a
 * command in dmsetup's syntax, words split as a shell splits them (quotes, backslashes; {@code #}
 * starts a comment). Each command prints what it would print alone; then a result line follows on
 * stderr ({@code dmctl: batch: line N: ok} or {@code ... failed (status S)}), or, under
 * {@code --json}, one JSON document per command on stdout with its status, output and errors.
 */
@Command(name = "batch", description = "Run commands (dmsetup syntax, one per line) from FILE or standard input in one process.")
final class BatchCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The commands ('-' or none: standard input).")
    String file;

    @Option(names = "--keep-going", description = "Run the remaining commands after one fails (default: stop).")
    boolean keepGoing;

    @Option(names = "--json", description = "One JSON document per command on stdout: line, command, status, stdout, stderr.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Dmctl dmctl = (Dmctl) spec.root().userObject();
        List<String> lines = (file == null || file.equals("-")
                ? new String(dmctl.stdin(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file), StandardCharsets.UTF_8)).lines().toList();
        // Every line is checked before the first runs: a typo on line 900 must not leave 899 done.
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            List<String> words;
            try {
                words = words(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException("line " + (i + 1), e.getMessage());
            }
            if (!words.isEmpty() && (words.get(0).equals("dmsetup") || words.get(0).equals("dmctl"))) {
                words = words.subList(1, words.size()); // a line pasted from a script
            }
            if (!words.isEmpty() && (words.get(0).equals("batch") || words.get(0).startsWith("--compat"))) {
                throw new InvalidArgumentException("line " + (i + 1),
                        "cannot run a batch, or change personality, inside a batch");
            }
            commands.add(words);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Shared kernel = new Shared(dmctl.kernel)) {
            Dmctl inner = new Dmctl(InputStream.nullInputStream(), kernel, dmctl.personality);
            int status = 0;
            for (int i = 0; i < commands.size(); i++) {
                List<String> words = commands.get(i);
                if (words.isEmpty()) {
                    continue;
                }
                int s = runOne(i + 1, words, inner, out, err);
                if (s != 0) {
                    status = status == 0 ? s : status;
                    if (!keepGoing) {
                        break;
                    }
                }
            }
            return status;
        }
    }

    private int runOne(int line, List<String> words, Dmctl inner, PrintWriter out, PrintWriter err) {
        String[] args = words.toArray(String[]::new);
        if (!json) {
            int s = inner.execute(args, out, err);
            out.flush();
            err.println("dmctl: batch: line " + line + ": " + (s == 0 ? "ok" : "failed (status " + s + ")"));
            err.flush();
            return s;
        }
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int s;
        try (PrintWriter po = new PrintWriter(o); PrintWriter pe = new PrintWriter(e)) {
            s = inner.execute(args, po, pe);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("line", line);
        doc.put("command", words);
        doc.put("status", s);
        doc.put("stdout", o.toString());
        doc.put("stderr", e.toString());
        out.println(Json.object(doc));
        out.flush();
        return s;
    }

    /** One client for every command of the batch, opened when the first needs it. */
    private static final class Shared implements Dmctl.Kernel, AutoCloseable {
        private final Dmctl.Kernel opener;
        private DeviceMapper dm;

        Shared(Dmctl.Kernel opener) {
            this.opener = opener;
        }

        @Override
        public DeviceMapper open() throws IOException {
            if (dm == null) {
                dm = opener.open();
            }
            return dm;
        }

        @Override
        public void release(DeviceMapper used) {
            // kept for the next command
        }

        @Override
        public void close() throws IOException {
            if (dm != null) {
                opener.release(dm);
            }
        }
    }

    /**
     * A line's words as a POSIX shell splits them, without expansions: blanks separate,
     * {@code '...'} is literal, {@code "..."} honours {@code \\"}, {@code \\\\}, {@code \\$} and
     * {@code \\`}, a backslash outside quotes escapes the next character, and {@code #} at the
     * start of a word begins a comment.
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (c == '#' && word == null) {
                break;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("has an unterminated single quote");
                }
                word.append(line, i + 1, end);
                i = end;
            } else if (c == '"') {
                i++;
                while (i < line.length() && line.charAt(i) != '"') {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                    i++;
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("has an unterminated double quote");
                }
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("ends with a backslash");
                }
                word.append(line.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
