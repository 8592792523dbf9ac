package io.dm4j.target;

/** {@code error}: every I/O fails. It takes no parameters. */
public record ErrorTarget() implements Target {
    static final String TYPE = "error";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return "";
    }
}
