package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * {@code log-writes}: passes I/O to a device and logs every write, in order, to a log device.
 *
 * @param device the data device
 * @param logDevice where the write log goes
 */
public record LogWritesTarget(DeviceNumber device, DeviceNumber logDevice) implements Target {
    static final String TYPE = "log-writes";

    /** Checks that both are given. */
    public LogWritesTarget {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(logDevice, "logDevice");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return device + " " + logDevice;
    }
}
