package io.dm4j;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.internal.ioctl.Validation;

/**
 * One line of a device-mapper table: the sectors {@code [start, start + length)} are mapped by a
 * target of the given type, configured by its parameter string.
 *
 * @param start first sector (512 bytes each) this target maps
 * @param length number of sectors, greater than zero
 * @param type target type, e.g. {@code linear}; at most 15 bytes
 * @param params the target's parameters, exactly as the kernel takes and returns them
 */
public record TargetLine(long start, long length, String type, String params) {

    /**
     * Checks each field on its own; {@link DeviceMapper#checkTable}, as every load does, and a typed
     * {@link io.dm4j.target.Table} check that lines fit together.
     */
    public TargetLine {
        if (start < 0) {
            throw new InvalidTableException("start", "must not be negative, got " + start);
        }
        if (length <= 0) {
            throw new InvalidTableException("length", "must be greater than zero, got " + length);
        }
        try {
            Validation.checkCString("target type", type, 1, DmIoctl.MAX_TYPE_NAME - 1);
            Validation.checkText("params", params);
        } catch (InvalidArgumentException e) {
            throw new InvalidTableException(e.field(), e.rule());
        }
    }

    /** As {@code dmsetup table} prints it: {@code 0 2048 linear 7:0 0}. */
    @Override
    public String toString() {
        return start + " " + length + " " + type + (params.isEmpty() ? "" : " " + params);
    }
}
