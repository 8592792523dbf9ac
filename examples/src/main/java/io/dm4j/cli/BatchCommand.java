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

    @Option(names = "--jobs", paramLabel = "N", description = "Run up to N lines at once; lines that name the same device (or that"
            + " cannot tell which they touch) still run in order, and output comes in the file's order (default 1).")
    int jobs = 1;

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
        List<Line> todo = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (!commands.get(i).isEmpty()) {
                todo.add(new Line(i + 1, commands.get(i), Conflicts.of(commands.get(i))));
            }
        }
        if (jobs < 1) {
            throw new InvalidArgumentException("--jobs", "must be 1 or more");
        }
        byte[] script = file == null || file.equals("-") ? dmctl.stdin() : null;
        try (Shared kernel = new Shared(dmctl.kernel)) {
            return new Run(todo, kernel, dmctl.personality, script, out, err).go();
        }
    }

    /** A command line of the batch, and what it may not overlap with. */
    record Line(int number, List<String> words, Conflicts conflicts) {}

    /**
     * What a line touches, for running lines side by side ({@code --jobs}): the device names it
     * mentions (its device, a rename's new name, a uuid it sets, the devices a table names by
     * path), or everything ({@code all}) when it cannot tell: commands on all devices, devices by
     * uuid or number, tables that name devices by number or come from a file. Lines that share a
     * name, and every line and an {@code all} line, run in the file's order.
     */
    record Conflicts(java.util.Set<String> names, boolean all) {
        private static final java.util.Set<String> ON_NAMED = java.util.Set.of("create", "remove", "load", "reload",
                "clear", "suspend", "resume", "rename", "message", "wipe_table", "setgeometry", "info", "table",
                "status", "measure", "deps", "splitname", "udevflags", "holders", "mknodes");
        private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("\\d+:\\d+");

        static Conflicts of(List<String> words) {
            String command = words.get(0);
            if (!ON_NAMED.contains(command)) {
                return new Conflicts(java.util.Set.of(), true);
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            List<String> positional = new ArrayList<>();
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("-u") || w.equals("--uuid") || w.startsWith("--uuid=")) {
                    if (!command.equals("create")) {
                        return new Conflicts(java.util.Set.of(), true); // a device by uuid: which, is not known here
                    }
                    names.add("uuid:" + (w.contains("=") ? w.substring(w.indexOf('=') + 1) : i + 1 < words.size() ? words.get(i + 1) : ""));
                }
                if (w.equals("-j") || w.equals("-m") || w.startsWith("--major") || w.startsWith("--minor")) {
                    return new Conflicts(java.util.Set.of(), true);
                }
                if (w.equals("--table") && i + 1 < words.size()) {
                    for (String t : words.get(i + 1).split("\\s+")) {
                        if (NUMBER.matcher(t).matches()) {
                            return new Conflicts(java.util.Set.of(), true);
                        }
                        if (t.startsWith("/")) {
                            names.add(t.substring(t.lastIndexOf('/') + 1));
                        }
                    }
                }
                if (w.startsWith("-")) {
                    i += DmsetupSyntax.takesSeparateValue(w) ? 1 : 0;
                } else {
                    positional.add(w);
                }
            }
            if (positional.isEmpty()) {
                return new Conflicts(java.util.Set.of(), true); // all devices
            }
            if ((command.equals("create") || command.equals("load") || command.equals("reload")) && positional.size() > 1) {
                return new Conflicts(java.util.Set.of(), true); // a table from a file, unread here
            }
            boolean many = !command.equals("rename") && !command.equals("message")
                    && !command.equals("setgeometry") && !command.equals("create");
            List<String> devices = many ? positional : command.equals("rename") ? positional.subList(0, Math.min(2, positional.size()))
                    : positional.subList(0, 1);
            for (String d : devices) {
                names.add(d.substring(d.lastIndexOf('/') + 1));
            }
            return new Conflicts(names, false);
        }

        boolean overlaps(Conflicts other) {
            if (all || other.all) {
                return true;
            }
            for (String n : names) {
                if (other.names.contains(n)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A thread's own command tree, and the buffers its lines print into (the same writers every time). */
    private static final class Worker {
        final Dmctl dmctl;
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final PrintWriter po = new PrintWriter(out);
        final PrintWriter pe = new PrintWriter(err);

        Worker(Dmctl dmctl) {
            this.dmctl = dmctl;
        }
    }

    /** One batch's run: lines start when the earlier lines they overlap have ended, and print in order. */
    private final class Run {
        private final List<Line> lines;
        private final Shared kernel;
        private final Dmctl.Personality personality;
        private final byte[] script;
        private final PrintWriter out;
        private final PrintWriter err;
        private final String[] results;
        private final String[] errors;
        private final int[] statuses;
        private final boolean[] ended;
        private int printed;
        /** The first line (by position) that failed; lines after it do not start. */
        private int firstFailed = Integer.MAX_VALUE;

        Run(List<Line> lines, Shared kernel, Dmctl.Personality personality, byte[] script, PrintWriter out,
                PrintWriter err) {
            this.lines = lines;
            this.kernel = kernel;
            this.personality = personality;
            this.script = script;
            this.out = out;
            this.err = err;
            results = new String[lines.size()];
            errors = new String[lines.size()];
            statuses = new int[lines.size()];
            ended = new boolean[lines.size()];
        }

        int go() throws InterruptedException {
            int n = Math.max(1, jobs);
            ThreadLocal<Worker> workers = ThreadLocal.withInitial(() -> {
                Dmctl d = new Dmctl(InputStream.nullInputStream(), kernel, personality);
                d.handOverInput = script;
                return new Worker(d);
            });
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "dmctl-batch");
                t.setDaemon(true);
                return t;
            });
            try {
                List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
                // Each line waits for the last earlier line on each of its names and for the last
                // line on all devices; a line on all devices waits for every line since the one before.
                Map<String, Integer> lastOn = new java.util.HashMap<>();
                int lastAll = -1;
                List<Integer> sinceAll = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    Conflicts c = lines.get(i).conflicts();
                    java.util.Set<Integer> before = new java.util.TreeSet<>();
                    if (n == 1 && i > 0) {
                        before.add(i - 1);
                    } else if (c.all()) {
                        before.addAll(sinceAll);
                    } else {
                        c.names().forEach(name -> {
                            Integer j = lastOn.get(name);
                            if (j != null) {
                                before.add(j);
                            }
                        });
                    }
                    if (lastAll >= 0) {
                        before.add(lastAll);
                    }
                    if (c.all()) {
                        lastAll = i;
                        sinceAll.clear();
                        lastOn.clear();
                    } else {
                        sinceAll.add(i);
                        for (String name : c.names()) {
                            lastOn.put(name, i);
                        }
                    }
                    int index = i;
                    done.add(java.util.concurrent.CompletableFuture.allOf(before.stream().map(done::get)
                                    .toArray(java.util.concurrent.CompletableFuture[]::new))
                            .handle((v, t) -> null)
                            .thenRunAsync(() -> runLine(index, workers.get()), pool));
                }
                java.util.concurrent.CompletableFuture.allOf(done.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
            } finally {
                pool.shutdownNow();
            }
            for (int i = 0; i < lines.size(); i++) {
                if (statuses[i] != 0) {
                    return statuses[i];
                }
            }
            return 0;
        }

        private void runLine(int i, Worker worker) {
            synchronized (this) {
                if (i > firstFailed) {
                    end(i, null, null, 0); // not run: an earlier line failed
                    return;
                }
            }
            worker.out.getBuffer().setLength(0);
            worker.err.getBuffer().setLength(0);
            int s = worker.dmctl.execute(lines.get(i).words().toArray(String[]::new), worker.po, worker.pe);
            worker.po.flush();
            worker.pe.flush();
            end(i, worker.out.toString(), worker.err.toString(), s);
        }

        /** Records a line's end and prints every line, in order, whose turn has come. */
        private synchronized void end(int i, String stdout, String stderr, int status) {
            results[i] = stdout;
            errors[i] = stderr;
            statuses[i] = status;
            ended[i] = true;
            if (status != 0 && (!keepGoing || status == io.dm4j.examples.Launcher.HAND_OVER)) {
                firstFailed = Math.min(firstFailed, i);
            }
            while (printed < lines.size() && ended[printed]) {
                print(printed);
                printed++;
            }
        }

        private void print(int i) {
            if (results[i] == null) {
                return;
            }
            Line line = lines.get(i);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("line", line.number());
                doc.put("command", line.words());
                doc.put("status", statuses[i]);
                doc.put("stdout", results[i]);
                doc.put("stderr", errors[i]);
                out.println(Json.object(doc));
                out.flush();
                return;
            }
            out.print(results[i]);
            out.flush();
            err.print(errors[i]);
            err.println("dmctl: batch: line " + line.number() + ": "
                    + (statuses[i] == 0 ? "ok" : "failed (status " + statuses[i] + ")"));
            err.flush();
        }
    }

    /** One client for every command of the batch, opened when the first needs it. */
    private static final class Shared implements Dmctl.Kernel, AutoCloseable {
        private final Dmctl.Kernel opener;
        private DeviceMapper dm;

        Shared(Dmctl.Kernel opener) {
            this.opener = opener;
        }

        @Override
        public synchronized DeviceMapper open() throws IOException {
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
