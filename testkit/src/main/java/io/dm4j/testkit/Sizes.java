package io.dm4j.testkit;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link Scratch#size()}'s notation. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMG]?)");

    private Sizes() {}

    /**
     * The size in bytes.
     *
     * @throws IllegalArgumentException naming the size and what is wrong with it
     */
    static long parse(String size) {
        Matcher m = SIZE.matcher(size.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw bad(size, "expected a number of bytes with an optional K, M or G suffix, e.g. \"64M\"");
        }
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw bad(size, "too large");
        }
        if (number > Long.MAX_VALUE >> shift) {
            throw bad(size, "too large");
        }
        long bytes = number << shift;
        if (bytes == 0) {
            throw bad(size, "a disk needs at least one 512-byte sector");
        }
        // The loop driver and device-mapper count in 512-byte sectors.
        if (bytes % 512 != 0) {
            throw bad(size, "not a whole number of 512-byte sectors");
        }
        return bytes;
    }

    private static IllegalArgumentException bad(String size, String why) {
        return new IllegalArgumentException("@Scratch(size = \"" + size + "\"): " + why);
    }
}
