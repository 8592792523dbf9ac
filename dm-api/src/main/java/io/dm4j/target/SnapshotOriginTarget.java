package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * {@code snapshot-origin}: the origin device of snapshots; a write through it first copies the old
 * chunk to every snapshot's exception store.
 *
 * @param origin the device holding the origin's data
 */
public record SnapshotOriginTarget(DeviceNumber origin) implements Target {
    static final String TYPE = "snapshot-origin";

    /** Checks that the origin is given. */
    public SnapshotOriginTarget {
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return origin.toString();
    }
}
