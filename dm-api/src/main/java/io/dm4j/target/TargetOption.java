package io.dm4j.target;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.util.Objects;

/**
 * One optional argument of a target: a keyword and, if the keyword takes one, its value. Built with
 * {@link #flag}, {@link #of(OptionKey, long)}, {@link #of(OptionKey, DeviceNumber)} or
 * {@link #of(OptionKey, String)}.
 *
 * @param key the keyword
 * @param value its value as the kernel prints it; empty for keywords that take none
 */
public record TargetOption(OptionKey key, String value) {
    /** Checks that the value fits the keyword. */
    public TargetOption {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        String field = "option " + key.keyword();
        switch (key.value()) {
            case NONE -> Checks.rule(value.isEmpty(), "target", field, "takes no value, got '" + value + "'");
            case NUMBER -> Checks.rule(Args.canonicalNumber(value) >= 0, "target", field,
                    "must be a decimal number, got '" + value + "'");
            case SIGNED -> Checks.rule(Args.canonicalNumber(value.startsWith("-") && value.length() > 1
                    && !value.equals("-0") ? value.substring(1) : value) >= 0, "target", field,
                    "must be a decimal number, got '" + value + "'");
            case DEVICE -> {
                try {
                    DeviceNumber.parse(value);
                } catch (InvalidArgumentException e) {
                    throw new io.dm4j.InvalidTableException("target " + field, "must be major:minor, got '" + value + "'");
                }
            }
            case WORD -> Checks.word("target", field, value);
            default -> throw new IllegalStateException();
        }
    }

    /** A keyword that takes no value. */
    public static TargetOption flag(OptionKey key) {
        return new TargetOption(key, "");
    }

    /** A keyword with a number. */
    public static TargetOption of(OptionKey key, long value) {
        return new TargetOption(key, Long.toString(value));
    }

    /** A keyword with a device. */
    public static TargetOption of(OptionKey key, DeviceNumber value) {
        return new TargetOption(key, value.toString());
    }

    /** A keyword with a word of text. */
    public static TargetOption of(OptionKey key, String value) {
        return new TargetOption(key, value);
    }

    /** The value as a number; for {@code NUMBER} and {@code SIGNED} keywords. */
    public long number() {
        return Long.parseLong(value);
    }

    /** {@code keyword value}, or the keyword alone. */
    @Override
    public String toString() {
        return value.isEmpty() ? key.keyword() : key.keyword() + " " + value;
    }
}
