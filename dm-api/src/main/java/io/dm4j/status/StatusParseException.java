package io.dm4j.status;

import io.dm4j.DmProtocolException;

/**
 * A target's status text does not have the form its kernel driver prints: a kernel this parser does
 * not know, or a corrupt reply. Carries the target type, the whole text and the field that failed.
 */
public class StatusParseException extends DmProtocolException {
    private static final long serialVersionUID = 1L;

    private final String type;
    private final String text;
    private final String field;

    /**
     * @param type the target type whose status was read
     * @param text the status text, exactly as the kernel returned it
     * @param field the field that could not be read, e.g. {@code "used data blocks"}
     * @param problem what was wrong with it
     */
    public StatusParseException(String type, String text, String field, String problem) {
        super("cannot parse the " + type + " status '" + text + "': " + field + ": " + problem
                + " (a kernel newer than this parser? the text stays available as TargetStatus.status())");
        this.type = type;
        this.text = text;
        this.field = field;
    }

    /** The target type. */
    public String type() {
        return type;
    }

    /** The status text as the kernel returned it. */
    public String text() {
        return text;
    }

    /** The field that could not be read. */
    public String field() {
        return field;
    }
}
