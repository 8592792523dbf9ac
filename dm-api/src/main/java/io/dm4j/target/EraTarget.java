package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * {@code era}: tracks which blocks were written in which era.
 *
 * @param metadata the metadata device
 * @param origin the data device
 * @param blockSize the tracking granularity
 */
public record EraTarget(DeviceNumber metadata, DeviceNumber origin, Sectors blockSize) implements Target {
    static final String TYPE = "era";

    /** Checks the fields. */
    public EraTarget {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(origin, "origin");
        Checks.rule(blockSize.count() > 0 && blockSize.count() <= 0xffffffffL, TYPE, "block size",
                "must be 1..4294967295 sectors, got " + blockSize.count());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return metadata + " " + origin + " " + blockSize.count();
    }
}
