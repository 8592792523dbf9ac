package io.dm4j;

/**
 * A device-mapper version triple: the ioctl interface version of the kernel's driver, or a
 * target's version.
 *
 * @param major incompatible changes
 * @param minor added features; dm4j gates features on the driver's minor
 * @param patch fixes
 */
public record DmVersion(int major, int minor, int patch) implements Comparable<DmVersion> {

    @Override
    public int compareTo(DmVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    /** True if this version is at least {@code other}. */
    public boolean atLeast(DmVersion other) {
        return compareTo(other) >= 0;
    }

    /** As the kernel and {@code dmsetup} print it: {@code 4.48.0}. */
    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
