package io.dm4j;

/**
 * An argument breaks a device-mapper rule that dm4j checks itself, before any ioctl, so nothing
 * reaches the kernel and nothing changes.
 */
public class InvalidArgumentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String rule;

    /**
     * @param field what was wrong, e.g. {@code "name"}
     * @param rule the rule it broke, e.g. {@code "must not contain '/'"}
     */
    public InvalidArgumentException(String field, String rule) {
        super(field + " " + rule);
        this.field = field;
        this.rule = rule;
    }

    /** The offending field, e.g. {@code "name"}. */
    public String field() {
        return field;
    }

    /** The rule it broke. */
    public String rule() {
        return rule;
    }
}
