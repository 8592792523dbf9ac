package io.dm4j.status;

import java.util.Objects;

/**
 * The status of a target type this library has no parser for (e.g. {@code switch},
 * {@code clone}, {@code dust}, out-of-tree targets), or a status from a known silent target that
 * started to report something: the text, kept as the kernel returned it.
 *
 * @param type the target type
 * @param text the status text
 */
public record UnknownStatus(String type, String text) implements StatusReport {
    /** Checks both are present. */
    public UnknownStatus {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
    }
}
