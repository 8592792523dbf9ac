package io.dm4j;

/**
 * A block device number, {@code major:minor}.
 *
 * @param major the driver's major number
 * @param minor the device's minor number
 */
public record DeviceNumber(int major, int minor) {

    /** Checks the ranges of Linux's {@code dev_t}: 12-bit major, 20-bit minor. */
    public DeviceNumber {
        if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
            throw new IllegalArgumentException("device number out of range: " + major + ":" + minor);
        }
    }

    /** Decodes the kernel's {@code huge_encode_dev} form used in every device-mapper struct. */
    public static DeviceNumber decode(long encoded) {
        int major = (int) ((encoded & 0xfff00L) >>> 8);
        int minor = (int) ((encoded & 0xffL) | ((encoded >>> 12) & 0xfff00L));
        return new DeviceNumber(major, minor);
    }

    /** The kernel's {@code huge_encode_dev} form. */
    public long encode() {
        return (minor & 0xffL) | ((long) major << 8) | ((minor & ~0xffL) << 12);
    }

    /** As {@code dmsetup} and {@code /sys} print it: {@code 253:0}. */
    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
