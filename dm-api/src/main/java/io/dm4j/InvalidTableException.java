package io.dm4j;

/** A table or one of its lines breaks a rule: gaps, overlaps, zero lengths, bad type or parameters. */
public class InvalidTableException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param field the part of the table, e.g. {@code "line 2 start"}
     * @param rule the rule it broke
     */
    public InvalidTableException(String field, String rule) {
        super(field, rule);
    }
}
