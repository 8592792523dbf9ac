package io.dm4j.target;

/**
 * A keyword of a target's optional arguments. Each target with such arguments lists its keywords
 * in an enum ({@code WritecacheTarget.Option}, {@code VerityTarget.Option}...), declared in the
 * order in which the kernel prints them.
 */
public interface OptionKey {
    /** What follows a keyword. */
    enum Value {
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

    /** The keyword as the kernel spells it, e.g. {@code high_watermark}. */
    String keyword();

    /** What value the keyword takes. */
    Value value();

    /** True if the keyword may appear more than once (e.g. raid's {@code rebuild <index>}). */
    default boolean repeatable() {
        return false;
    }
}
