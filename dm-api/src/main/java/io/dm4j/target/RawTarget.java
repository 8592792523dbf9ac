package io.dm4j.target;

import io.dm4j.TargetLine;

/**
 * Any target as type and parameter text, handed to the kernel unchanged: for target types dm4j
 * does not type, and for parameters outside the kernel's canonical form.
 *
 * @param type the target type, at most 15 bytes
 * @param params the parameters, as the kernel takes them
 */
public record RawTarget(String type, String params) implements Target {
    /** Checks the type and parameters like {@link TargetLine} does. */
    public RawTarget {
        new TargetLine(0, 1, type, params);
    }
}
