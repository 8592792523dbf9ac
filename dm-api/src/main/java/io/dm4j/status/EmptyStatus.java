package io.dm4j.status;

import java.util.Objects;

/**
 * A target that reports no status at all, as {@code linear}, {@code zero}, {@code error},
 * {@code crypt}, {@code flakey} and {@code snapshot-origin} do on Linux 6.1.
 *
 * @param type the target type
 */
public record EmptyStatus(String type) implements StatusReport {
    /** Checks the type. */
    public EmptyStatus {
        Objects.requireNonNull(type, "type");
    }
}
