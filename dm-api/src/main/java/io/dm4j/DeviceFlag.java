package io.dm4j;

/** State bits the kernel reports for a device, from {@code dm_ioctl.flags}. */
public enum DeviceFlag {
    /** The device is read-only. */
    READ_ONLY(DmIoctl.READONLY_FLAG),
    /** The device is suspended. */
    SUSPENDED(DmIoctl.SUSPEND_FLAG),
    /** A live table is present. */
    LIVE_TABLE_PRESENT(DmIoctl.ACTIVE_PRESENT_FLAG),
    /** An inactive table is loaded, waiting for a resume. */
    INACTIVE_TABLE_PRESENT(DmIoctl.INACTIVE_PRESENT_FLAG),
    /** A deferred remove is scheduled for when the last opener closes. */
    DEFERRED_REMOVE(DmIoctl.DEFERRED_REMOVE),
    /** Suspended internally by the kernel (e.g. by a thin pool). */
    INTERNALLY_SUSPENDED(DmIoctl.INTERNAL_SUSPEND_FLAG);

    final int bit;

    DeviceFlag(int bit) {
        this.bit = bit;
    }
}
