package io.dm4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    /**
     * Reads {@code major:minor} as the kernel prints it: two decimal numbers without signs or
     * leading zeros.
     */
    public static DeviceNumber parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0 || !isDecimal(text, 0, colon) || !isDecimal(text, colon + 1, text.length())) {
            throw new InvalidArgumentException("device number", "must be major:minor in decimal, got '" + text + "'");
        }
        long major = Long.parseLong(text, 0, colon, 10);
        long minor = Long.parseLong(text, colon + 1, text.length(), 10);
        if (major > 0xfff || minor > 0xfffff) {
            throw new InvalidArgumentException("device number", "out of range (major 0..4095, minor 0..1048575): " + text);
        }
        return new DeviceNumber((int) major, (int) minor);
    }

    private static boolean isDecimal(String s, int from, int to) {
        if (to <= from || to - from > 9 || (s.charAt(from) == '0' && to - from > 1)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The number of a block device node, e.g. {@code /dev/loop0}, read with {@code stat(2)}
     * (symbolic links followed). Tables name devices by number, as the kernel reports them back;
     * resolving the path here means a wrong path fails before any ioctl.
     *
     * @throws InvalidArgumentException if the path is not a block device
     */
    public static DeviceNumber ofBlockDevice(Path path) throws IOException {
        Map<String, Object> stat = Files.readAttributes(path, "unix:mode,rdev");
        int mode = (Integer) stat.get("mode");
        if ((mode & 0170000) != 0060000) {
            throw new InvalidArgumentException("device", path + " is not a block device");
        }
        long rdev = (Long) stat.get("rdev");
        // glibc's dev_t: major in bits 8..19 and 32..43, minor in bits 0..7 and 20..31 and 44..63.
        long major = ((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & 0xfffff000L);
        long minor = (rdev & 0xffL) | ((rdev >>> 12) & 0xffffff00L);
        if (major > 0xfff || minor > 0xfffff) {
            throw new InvalidArgumentException("device", path + " has a number device-mapper cannot encode: "
                    + major + ":" + minor);
        }
        return new DeviceNumber((int) major, (int) minor);
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
