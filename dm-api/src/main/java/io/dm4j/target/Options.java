package io.dm4j.target;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lists of {@link TargetOption}s: checked against a target's keyword enum, put in the kernel's
 * order, counted, printed and read back. Two spellings exist: {@code keyword value} as separate
 * words (most targets) and {@code keyword:value} as one word (integrity).
 */
final class Options {
    private Options() {}

    /** The options in the kernel's order (that of {@code keys}), each keyword at most once unless repeatable. */
    static List<TargetOption> canonical(String type, List<OptionKey> keys, List<TargetOption> options) {
        List<TargetOption> sorted = new ArrayList<>(options);
        for (TargetOption o : sorted) {
            Checks.rule(keys.contains(o.key()), type, "option " + o.key().keyword(),
                    "is not a " + type + " option");
        }
        sorted.sort(Comparator.comparingInt((TargetOption o) -> keys.indexOf(o.key()))
                .thenComparingLong(o -> o.key().repeatable() ? o.number() : 0));
        for (int i = 1; i < sorted.size(); i++) {
            TargetOption prev = sorted.get(i - 1);
            TargetOption cur = sorted.get(i);
            Checks.rule(prev.key() != cur.key() || (cur.key().repeatable() && !prev.value().equals(cur.value())), type,
                    "option " + cur.key().keyword(), "is given twice");
        }
        return List.copyOf(sorted);
    }

    static boolean has(List<TargetOption> options, OptionKey key) {
        return options.stream().anyMatch(o -> o.key() == key);
    }

    /** The number of words the options take. */
    static int words(List<TargetOption> options, boolean joined) {
        int n = 0;
        for (TargetOption o : options) {
            n += joined || o.value().isEmpty() ? 1 : 2;
        }
        return n;
    }

    /** Appends each option, preceded by a space. */
    static void append(StringBuilder s, List<TargetOption> options, boolean joined) {
        for (TargetOption o : options) {
            s.append(' ').append(o.key().keyword());
            if (!o.value().isEmpty()) {
                s.append(joined ? ':' : ' ').append(o.value());
            }
        }
    }

    /** Reads options that take {@code words} words, for a target whose keywords are {@code keys}. */
    static List<TargetOption> parse(Args args, int words, List<OptionKey> keys, boolean joined) {
        List<TargetOption> options = new ArrayList<>();
        int left = words;
        while (left > 0) {
            String w = args.word("option");
            left--;
            String keyword = w;
            String value = "";
            if (joined && w.indexOf(':') > 0) {
                keyword = w.substring(0, w.indexOf(':'));
                value = w.substring(w.indexOf(':') + 1);
            }
            OptionKey key = keyOf(args, keys, keyword);
            if (!joined && key.value() != OptionKey.Value.NONE) {
                if (left == 0) {
                    throw args.error("option " + keyword, "lacks its value within the counted arguments");
                }
                value = args.word("option " + keyword + " value");
                left--;
            }
            options.add(new TargetOption(key, value));
        }
        return options;
    }

    private static OptionKey keyOf(Args args, List<OptionKey> keys, String keyword) {
        for (OptionKey k : keys) {
            if (k.keyword().equals(keyword)) {
                return k;
            }
        }
        throw args.error("option", "unknown: '" + keyword + "'");
    }
}
