package io.dm4j.target;

import java.util.Objects;

/**
 * A keyword of a target's optional arguments and what follows it. Each target with such arguments
 * lists its keywords as constants of a nested {@code Option} class ({@code WritecacheTarget.Option},
 * {@code VerityTarget.Option}...), in the order in which the kernel prints them.
 *
 * @param keyword the keyword as the kernel spells it, e.g. {@code high_watermark}
 * @param value what value the keyword takes
 * @param repeatable true if the keyword may appear more than once (e.g. raid's {@code rebuild <index>})
 */
public record OptionKey(String keyword, Value value, boolean repeatable) {
    /** What follows a keyword. */
    public enum Value {
        /** Nothing: the keyword alone. */
        NONE,
        /** A decimal number, not negative. */
        NUMBER,
        /** A decimal number that may be negative. */
        SIGNED,
        /** A device, {@code major:minor}. */
        DEVICE,
        /** One word of text. */
        WORD
    }

    /** Checks the keyword. */
    public OptionKey {
        Checks.word("target", "option keyword", keyword);
        Objects.requireNonNull(value, "value");
    }

    static OptionKey of(String keyword, Value value) {
        return new OptionKey(keyword, value, false);
    }

    /** {@code keyword}, or {@code keyword value}. */
    @Override
    public String toString() {
        return value == Value.NONE ? keyword : keyword + " <" + value.name().toLowerCase(java.util.Locale.ROOT) + ">";
    }
}
