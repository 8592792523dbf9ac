package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * {@code linear}: maps the range onto a device, from an offset on.
 *
 * @param device the underlying device
 * @param offset its first sector used
 */
public record LinearTarget(DeviceNumber device, Sectors offset) implements Target {
    static final String TYPE = "linear";

    /** Checks that both are given. */
    public LinearTarget {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
    }

    static LinearTarget parse(Args args) {
        return new LinearTarget(args.device("device"), args.sectors("offset"));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return device + " " + offset.count();
    }
}
