package io.dm4j.cli;

import io.dm4j.InvalidArgumentException;

/**
 * Bad input that dmsetup words in its own way: dmctl's message for people, and the line dmsetup
 * prints for the same input, for the dmsetup personality.
 */
class CompatException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** dmsetup's line for this input, without its newline. */
    final String dmsetup;
    /** What dmsetup prints after that line. */
    final Trailer trailer;

    /** dmsetup's last word on a failure, which depends on where it found it. */
    enum Trailer {
        /** A command that failed: {@code Command failed.} */
        COMMAND_FAILED("Command failed.\n"),
        /** Found while reading the command line: {@code Couldn't process command line.} */
        COMMAND_LINE("Couldn't process command line.\n"),
        /** Found while setting up a report: nothing more. */
        NONE("");

        final String text;

        Trailer(String text) {
            this.text = text;
        }
    }

    CompatException(String field, String rule, String dmsetup) {
        this(field, rule, dmsetup, Trailer.COMMAND_FAILED);
    }

    CompatException(String field, String rule, String dmsetup, Trailer trailer) {
        super(field, rule);
        this.dmsetup = dmsetup;
        this.trailer = trailer;
    }
}
