package io.dm4j;

import io.dm4j.internal.ioctl.KeyMask;

/** Table lines as the kernel hands them back through {@link DeviceMapper#table}: keys hidden. */
public final class KernelTables {
    private KernelTables() {}

    /** The line with each key character of a crypt or integrity target read as {@code '0'}. */
    public static TargetLine masked(TargetLine line) {
        if (!KeyMask.mayCarryKeys(line.type())) {
            return line;
        }
        byte[] params = line.params().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        KeyMask.mask(line.type(), params, params.length);
        return new TargetLine(line.start(), line.length(), line.type(),
                new String(params, java.nio.charset.StandardCharsets.UTF_8));
    }
}
