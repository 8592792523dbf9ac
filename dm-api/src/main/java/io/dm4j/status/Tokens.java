package io.dm4j.status;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * A cursor over the whitespace-separated words of one status text. Every read names the field it
 * reads, so that a malformed text fails with a {@link StatusParseException} saying which field and
 * why, never with a {@link NumberFormatException} or an index error.
 */
final class Tokens {
    private final String type;
    private final String text;
    private final String[] words;
    private int next;

    Tokens(String type, String text) {
        this.type = type;
        this.text = text;
        String trimmed = text.strip();
        this.words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
    }

    /** The whole text, stripped, when it is one of the single-word (or two-word) failure forms. */
    String whole() {
        return String.join(" ", words);
    }

    boolean hasNext() {
        return next < words.length;
    }

    int remaining() {
        return words.length - next;
    }

    StatusParseException error(String field, String problem) {
        return new StatusParseException(type, text, field, problem);
    }

    String word(String field) {
        if (!hasNext()) {
            throw error(field, "missing (the text ends after " + next + " fields)");
        }
        return words[next++];
    }

    /** A decimal number in {@code 0..Long.MAX_VALUE}, as the kernel prints its unsigned counters. */
    long number(String field) {
        return number(field, word(field));
    }

    long number(String field, String word) {
        if (word.isEmpty() || word.length() > 19) {
            throw error(field, "'" + word + "' is not a number in 0.." + Long.MAX_VALUE);
        }
        long value = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                throw error(field, "'" + word + "' is not a decimal number");
            }
            value = value * 10 + (c - '0');
            if (value < 0) {
                throw error(field, "'" + word + "' exceeds " + Long.MAX_VALUE);
            }
        }
        return value;
    }

    /** A decimal number that may carry a minus sign, as the kernel prints {@code %d} and {@code %ld}. */
    long signedNumber(String field) {
        String word = word(field);
        return word.startsWith("-") && word.length() > 1 ? -number(field, word.substring(1)) : number(field, word);
    }

    int smallNumber(String field, int max) {
        long value = number(field);
        if (value > max) {
            throw error(field, value + " exceeds " + max);
        }
        return (int) value;
    }

    /** A number, or {@code -} for none. */
    OptionalLong numberOrDash(String field) {
        String word = word(field);
        return word.equals("-") ? OptionalLong.empty() : OptionalLong.of(number(field, word));
    }

    /** {@code set} for true, {@code -} for false. */
    boolean flag(String field, String set) {
        return either(field, set, "-");
    }

    /** One of two words: true for the first. */
    boolean either(String field, String whenTrue, String whenFalse) {
        return either(field, word(field), whenTrue, whenFalse);
    }

    /** A word already read (e.g. from a counted list) that must be one of two words. */
    boolean either(String field, String word, String whenTrue, String whenFalse) {
        if (word.equals(whenTrue)) {
            return true;
        }
        if (word.equals(whenFalse)) {
            return false;
        }
        throw error(field, "'" + word + "' is neither " + whenTrue + " nor " + whenFalse);
    }

    /** {@code used/total}, with {@code used <= total}. */
    long[] ratio(String field) {
        String word = word(field);
        int slash = word.indexOf('/');
        if (slash < 0) {
            throw error(field, "'" + word + "' is not of the form used/total");
        }
        long used = number(field, word.substring(0, slash));
        long total = number(field, word.substring(slash + 1));
        if (used > total) {
            throw error(field, used + " is more than the total " + total);
        }
        return new long[] {used, total};
    }

    /** One of the words the kernel prints for a field. */
    <E> E keyword(String field, Map<String, E> words) {
        String word = word(field);
        E value = words.get(word);
        if (value == null) {
            throw error(field, "'" + word + "' is none of " + new TreeSet<>(words.keySet()));
        }
        return value;
    }

    /** Each character of a word, looked up among the letters the kernel prints. */
    <E> List<E> letters(String field, String word, Map<Character, E> letters) {
        List<E> out = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            out.add(letter(field, word.charAt(i), letters));
        }
        return Collections.unmodifiableList(out);
    }

    <E> E letter(String field, char c, Map<Character, E> letters) {
        E value = letters.get(c);
        if (value == null) {
            throw error(field, "'" + c + "' is none of " + new TreeSet<>(letters.keySet()));
        }
        return value;
    }

    /** A count followed by that many words, as the kernel prints feature and argument lists. */
    List<String> counted(String field) {
        int count = smallNumber(field + " count", words.length);
        if (count > remaining()) {
            throw error(field, "says " + count + " words follow, but only " + remaining() + " do");
        }
        List<String> out = List.of(words).subList(next, next + count);
        next += count;
        return List.copyOf(out);
    }

    /** A counted list of key/value pairs, kept in the kernel's order. */
    Map<String, String> countedPairs(String field) {
        List<String> flat = counted(field);
        if (flat.size() % 2 != 0) {
            throw error(field, "has " + flat.size() + " words, not key/value pairs");
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            pairs.put(flat.get(i), flat.get(i + 1));
        }
        return Collections.unmodifiableMap(pairs);
    }

    /**
     * Builds the record after the last field, turning a broken consistency rule into a parse error:
     * numbers the kernel printed that cannot be true together are a malformed text.
     */
    <T> T build(java.util.function.Supplier<T> record) {
        end();
        try {
            return record.get();
        } catch (io.dm4j.InvalidArgumentException e) {
            throw error(e.field(), e.rule());
        }
    }

    /** Fails if words are left over: the text has fields this parser does not know. */
    void end() {
        if (hasNext()) {
            throw error("end of text", "unexpected '" + String.join(" ", List.of(words).subList(next, words.length))
                    + "' after the last field");
        }
    }
}
