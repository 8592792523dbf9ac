package io.dm4j.target;

import io.dm4j.InvalidTableException;
import java.util.List;
import java.util.Objects;

/** Field checks shared by the target records; each names the target and the field. */
final class Checks {
    private Checks() {}

    /** A single word of the parameter string: not empty, no whitespace, no backslash, no NUL. */
    static String word(String type, String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            throw new InvalidTableException(type + " " + field, "must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Args.isSpace(c) || c == '\\' || c == 0) {
                throw new InvalidTableException(type + " " + field,
                        "must be one word without whitespace or backslashes, got '" + value + "'");
            }
        }
        return value;
    }

    static long range(String type, String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidTableException(type + " " + field, "must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static void rule(boolean ok, String type, String field, String rule) {
        if (!ok) {
            throw new InvalidTableException(type + " " + field, rule);
        }
    }

    static <T> List<T> list(String type, String field, List<T> values, int min) {
        List<T> copy = List.copyOf(values);
        if (copy.size() < min) {
            throw new InvalidTableException(type + " " + field, "must have at least " + min + " entries, got "
                    + copy.size());
        }
        return copy;
    }
}
