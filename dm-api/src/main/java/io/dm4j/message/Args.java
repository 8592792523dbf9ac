package io.dm4j.message;

import io.dm4j.InvalidArgumentException;

/** Argument checks shared by the message families. */
final class Args {
    private Args() {}

    static long range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidArgumentException(field, "must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /**
     * A single message word: the kernel splits messages at white space, and a device is named by
     * {@code major:minor} or a path.
     */
    static String word(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || c == '\\' || c == '\0') {
                throw new InvalidArgumentException(field, "must be one word without white space, '\\' or NUL: '"
                        + value + "'");
            }
        }
        return value;
    }
}
