package io.dm4j.sys;

import java.util.Optional;

/** A failure that carries an {@code errno}: the views of it every such exception offers. */
public interface HasErrno {
    /** The raw error number. */
    int errnoValue();

    /** The error as a known constant, if it is one. */
    default Optional<Errno> errno() {
        return Errno.of(errnoValue());
    }

    /** The symbolic name, e.g. {@code "EBUSY"}, or {@code "errno N"} for an unknown value. */
    default String errnoName() {
        return Errno.nameOf(errnoValue());
    }

    /** True if this failure has the given errno. */
    default boolean is(Errno expected) {
        return expected.number() == errnoValue();
    }
}
