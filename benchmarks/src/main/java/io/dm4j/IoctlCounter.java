package io.dm4j;

/** Reads {@link DeviceMapper}'s package-private ioctl counter for the lifecycle benchmarks. */
public final class IoctlCounter {
    private IoctlCounter() {}

    /** The number of ioctls {@code dm} has issued so far. */
    public static long of(DeviceMapper dm) {
        return dm.ioctlCount();
    }
}
