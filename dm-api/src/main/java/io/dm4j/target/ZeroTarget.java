package io.dm4j.target;

/** {@code zero}: reads return zeros, writes are dropped. It takes no parameters. */
public record ZeroTarget() implements Target {
    static final String TYPE = "zero";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return "";
    }
}
