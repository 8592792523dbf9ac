package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * A position on an underlying device: a stripe, a mirror leg.
 *
 * @param device the device
 * @param offset the first sector used on it
 */
public record DeviceOffset(DeviceNumber device, Sectors offset) {
    /** Checks that both are given. */
    public DeviceOffset {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
    }

    static DeviceOffset parse(Args args, String what) {
        return new DeviceOffset(args.device(what + " device"), args.sectors(what + " offset"));
    }

    /** {@code major:minor offset}, as in a table. */
    @Override
    public String toString() {
        return device + " " + offset.count();
    }
}
