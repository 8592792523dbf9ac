package io.dm4j.target;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a target's parameter string word by word, in the strict canonical form the kernel prints:
 * numbers in plain decimal, devices as {@code major:minor}, keywords in lower case. Anything else
 * raises {@link InvalidTableException} naming the target and the field.
 */
final class Args {
    private final String type;
    private final List<String> words;
    private int next;

    private Args(String type, List<String> words) {
        this.type = type;
        this.words = words;
    }

    /** Splits on whitespace like the kernel's {@code dm_split_args}, which also takes backslash escapes. */
    static Args of(String type, String params) {
        if (params.indexOf('\\') >= 0) {
            throw new InvalidTableException(type + " parameters",
                    "use backslash escapes, which typed targets never need: use a RawTarget");
        }
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = params.length();
        while (i < n) {
            while (i < n && isSpace(params.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(params.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(params.substring(start, i));
            }
        }
        return new Args(type, words);
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    InvalidTableException error(String what, String rule) {
        return new InvalidTableException(type + " " + what, rule);
    }

    boolean hasMore() {
        return next < words.size();
    }

    /** The words not read yet. */
    int remaining() {
        return words.size() - next;
    }

    String peek() {
        return hasMore() ? words.get(next) : null;
    }

    String word(String what) {
        if (!hasMore()) {
            throw error(what, "is missing");
        }
        return words.get(next++);
    }

    /** The next word, which must be exactly {@code expected}. */
    void expect(String what, String expected) {
        String w = word(what);
        if (!w.equals(expected)) {
            throw error(what, "must be '" + expected + "', got '" + w + "'");
        }
    }

    long number(String what) {
        return number(what, 0, Long.MAX_VALUE);
    }

    long number(String what, long min, long max) {
        String w = word(what);
        long v = canonicalNumber(w);
        if (v < 0) {
            throw error(what, "must be a decimal number without sign or leading zeros, got '" + w + "'");
        }
        if (v < min || v > max) {
            throw error(what, "must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    int count(String what, int max) {
        return (int) number(what, 0, max);
    }

    Sectors sectors(String what) {
        return Sectors.of(number(what));
    }

    /** A size the kernel prints in bytes. */
    Sectors bytes(String what) {
        long b = number(what);
        if (b % Sectors.SIZE != 0) {
            throw error(what, "must be a multiple of 512 bytes, got " + b);
        }
        return Sectors.ofBytes(b);
    }

    DeviceNumber device(String what) {
        String w = word(what);
        try {
            return DeviceNumber.parse(w);
        } catch (InvalidArgumentException e) {
            throw error(what, "must be a device as major:minor, got '" + w + "'");
        }
    }

    /** The next word, which must spell a constant of {@code type} (see {@link #keyword(Enum)}). */
    <E extends Enum<E>> E keyword(String what, Class<E> type) {
        String w = word(what);
        E e = find(type, w);
        if (e == null) {
            throw error(what, "unknown: '" + w + "'");
        }
        return e;
    }

    /** The constant of {@code type} that {@code word} spells, or null. */
    static <E extends Enum<E>> E find(Class<E> type, String word) {
        for (E e : type.getEnumConstants()) {
            if (keyword(e).equals(word)) {
                return e;
            }
        }
        return null;
    }

    /** The kernel's spelling of a keyword constant: its name in lower case. */
    static String keyword(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** No words may be left. */
    void end() {
        if (hasMore()) {
            throw error("parameters", "have unexpected words from '" + words.get(next) + "' on");
        }
    }

    /** A non-negative decimal in canonical form, or -1. */
    static long canonicalNumber(String w) {
        int n = w.length();
        if (n == 0 || n > 19 || (w.charAt(0) == '0' && n > 1)) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (w.charAt(i) < '0' || w.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(w);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
