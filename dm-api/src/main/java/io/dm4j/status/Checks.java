package io.dm4j.status;

import io.dm4j.InvalidArgumentException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Consistency checks of status records, whether parsed or built by hand. */
final class Checks {
    private Checks() {}

    static void notNegative(String field, long value) {
        if (value < 0) {
            throw new InvalidArgumentException(field, "must not be negative, got " + value);
        }
    }

    /** A count of {@code total}: {@code 0 <= used <= total}. */
    static void usage(String field, long used, long total) {
        notNegative(field, used);
        if (used > total) {
            throw new InvalidArgumentException(field, "must not exceed the total " + total + ", got " + used);
        }
    }

    /** An unmodifiable copy that keeps the kernel's order. */
    static Map<String, String> pairs(String field, Map<String, String> values) {
        Objects.requireNonNull(values, field);
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** One entry of {@code values} for each of {@code count} devices. */
    static <T> List<T> perDevice(String field, List<T> values, int count) {
        List<T> copy = list(field, values);
        if (copy.size() != count) {
            throw new InvalidArgumentException(field, "must have one entry for each of the " + count
                    + " devices, got " + copy.size());
        }
        return copy;
    }

    static <T> List<T> list(String field, List<T> values) {
        Objects.requireNonNull(values, field);
        return List.copyOf(values);
    }
}
