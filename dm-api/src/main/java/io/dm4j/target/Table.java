package io.dm4j.target;

import io.dm4j.InvalidTableException;
import io.dm4j.TargetLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A device-mapper table of typed targets: entries that start at sector 0 and follow each other
 * without gaps or overlaps. Build one with {@link #builder()}, which computes the start sectors,
 * or read one from {@code dmsetup} table text with {@link #parse}; {@link #format()} writes that
 * text back exactly as {@code dmsetup table} prints it.
 *
 * <pre>{@code
 * Table t = Table.builder()
 *         .append(Sectors.of(2048), new LinearTarget(loop0, Sectors.ZERO))
 *         .append(Sectors.of(2048), new ZeroTarget())
 *         .build();
 * dm.load("vol0", t);
 * }</pre>
 *
 * <p>Closing a table wipes the {@link CryptKey}s its targets hold.
 *
 * @param entries the targets with their sector ranges, in order
 */
public record Table(List<Entry> entries) implements AutoCloseable {

    /**
     * One target and the sectors it maps.
     *
     * @param start the first sector
     * @param length the number of sectors, at least 1
     * @param target the target
     */
    public record Entry(Sectors start, Sectors length, Target target) {
        /** Checks the fields. */
        public Entry {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(length, "length");
            Objects.requireNonNull(target, "target");
            if (length.count() == 0) {
                throw new InvalidTableException("length", "must be greater than zero");
            }
        }

        /** {@code start length type params}, as {@code dmsetup table} prints it. */
        @Override
        public String toString() {
            return start.count() + " " + length.count() + " " + target.type() + " " + target.params();
        }
    }

    /** Checks that the entries start at 0, follow each other and fit each target's length rules. */
    public Table {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new InvalidTableException("table", "must have at least one target");
        }
        long next = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            String line = "line " + (i + 1);
            if (e.start().count() != next) {
                throw new InvalidTableException(line + " start", (e.start().count() < next ? "overlaps" : "leaves a gap")
                        + ": must be " + next + " (contiguous from sector 0), got " + e.start().count());
            }
            try {
                next = Math.addExact(next, e.length().count());
            } catch (ArithmeticException overflow) {
                throw new InvalidTableException(line + " length", "overflows the sector range");
            }
            checkLength(line, e);
        }
    }

    /** The kernel's length rules that dm4j can check before any ioctl. */
    private static void checkLength(String line, Entry e) {
        if (e.target() instanceof StripedTarget s) {
            s.checkLength(e.length());
        } else if (e.target() instanceof CryptTarget c && e.length().count() % c.sectorSize().count() != 0) {
            throw new InvalidTableException(line + " length", "must be a multiple of the crypt sector size ("
                    + c.sectorSize().count() + " sectors), got " + e.length().count());
        }
    }

    /** A builder that appends targets one after the other. */
    public static Builder builder() {
        return new Builder();
    }

    /** Appends targets; each starts where the previous one ended. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private Sectors next = Sectors.ZERO;

        private Builder() {}

        /** Appends a target mapping the next {@code length} sectors. */
        public Builder append(Sectors length, Target target) {
            entries.add(new Entry(next, length, target));
            next = next.plus(length);
            return this;
        }

        /** The table; fails if it is empty or breaks a target's length rule. */
        public Table build() {
            return new Table(entries);
        }
    }

    /** The sectors the table maps. */
    public Sectors size() {
        Entry last = entries.get(entries.size() - 1);
        return last.start().plus(last.length());
    }

    /** The same ranges with each target replaced by {@code f}'s result. */
    public Table map(UnaryOperator<Target> f) {
        List<Entry> mapped = new ArrayList<>();
        for (Entry e : entries) {
            mapped.add(new Entry(e.start(), e.length(), f.apply(e.target())));
        }
        return new Table(mapped);
    }

    /**
     * The table as untyped lines, for {@code DeviceMapper.load(String, List)}.
     *
     * @throws InvalidTableException if a crypt target holds key bytes, which never go into strings:
     *     load such a table with {@code DeviceMapper.load(String, Table, ...)}
     */
    public List<TargetLine> toTargetLines() {
        List<TargetLine> lines = new ArrayList<>();
        for (Entry e : entries) {
            if (e.target() instanceof CryptTarget c && !(c.key() instanceof CryptTarget.Key.Keyring
                    || c.key() instanceof CryptTarget.Key.None)) {
                throw new InvalidTableException("crypt key", "never goes into a String: load the Table itself");
            }
            lines.add(new TargetLine(e.start().count(), e.length().count(), e.target().type(), e.target().params()));
        }
        return List.copyOf(lines);
    }

    /** Typed targets for untyped lines; types dm4j does not know, or cannot read, stay {@link RawTarget}s. */
    public static Table of(List<TargetLine> lines) {
        List<Entry> entries = new ArrayList<>();
        for (TargetLine l : lines) {
            entries.add(new Entry(Sectors.of(l.start()), Sectors.of(l.length()), Target.of(l)));
        }
        return new Table(entries);
    }

    /**
     * The table in {@code dmsetup} text form, one {@code start length type params} line per target,
     * each ending in a newline: what {@code dmsetup table} prints (crypt keys as zeros) and
     * {@code dmsetup create} reads.
     */
    public String format() {
        StringBuilder s = new StringBuilder();
        for (Entry e : entries) {
            s.append(e).append('\n');
        }
        return s.toString();
    }

    /**
     * Reads {@code dmsetup} table text as {@code dmsetup create} does: one target per line, blank
     * lines and lines starting with {@code #} skipped, anything after a {@code #} in a line ignored.
     * Target types dm4j does not know, and known types whose parameters it cannot read, become
     * {@link RawTarget}s, left for the kernel to judge.
     *
     * @throws InvalidTableException for malformed lines, gaps, overlaps, zero lengths or overflow
     */
    public static Table parse(String text) {
        return parse(text, false);
    }

    /**
     * Reads table text like {@link #parse}, but every target type must be one dm4j types, with
     * parameters in the kernel's canonical form.
     *
     * @throws InvalidTableException also for unknown target types and unreadable parameters
     */
    public static Table parseStrict(String text) {
        return parse(text, true);
    }

    private static Table parse(String text, boolean strict) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = strip(lines[i]);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1);
            int[] at = {0};
            long start = number(line, at, where + " start");
            long length = number(line, at, where + " length");
            String type = word(line, at);
            if (type.isEmpty()) {
                throw new InvalidTableException(where, "must be 'start length type [params]', got '" + line + "'");
            }
            String params = line.substring(at[0]);
            int comment = params.indexOf('#');
            params = strip(comment < 0 ? params : params.substring(0, comment));
            entries.add(new Entry(Sectors.of(start), Sectors.of(length), target(type, params, strict, where)));
        }
        return new Table(entries);
    }

    private static Target target(String type, String params, boolean strict, String where) {
        if (strict && !Parsers.TYPED.contains(type)) {
            throw new InvalidTableException(where + " type", "'" + type + "' is not a target type dm4j types "
                    + "(strict parsing); use Table.parse to keep it as a RawTarget");
        }
        try {
            return strict ? Target.parse(type, params) : Target.parseOrRaw(type, params);
        } catch (InvalidTableException e) {
            throw new InvalidTableException(where + " " + e.field(), e.rule());
        }
    }

    private static long number(String line, int[] at, String what) {
        String w = word(line, at);
        long v = Args.canonicalNumber(w);
        if (v < 0) {
            throw new InvalidTableException(what, "must be a decimal number of sectors, got '" + w + "'");
        }
        return v;
    }

    /** The next whitespace-separated word from {@code at[0]}; {@code at[0]} moves past it and the spaces after. */
    private static String word(String line, int[] at) {
        int i = at[0];
        int end = i;
        while (end < line.length() && !Args.isSpace(line.charAt(end))) {
            end++;
        }
        int next = end;
        while (next < line.length() && Args.isSpace(line.charAt(next))) {
            next++;
        }
        at[0] = next;
        return line.substring(i, end);
    }

    private static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && Args.isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && Args.isSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Wipes the crypt keys of the table's targets. */
    @Override
    public void close() {
        for (Entry e : entries) {
            if (e.target() instanceof CryptTarget c && c.key() instanceof CryptTarget.Key.Inline inline) {
                inline.key().close();
            }
        }
    }
}
