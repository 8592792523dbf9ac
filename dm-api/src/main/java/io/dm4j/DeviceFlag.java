package io.dm4j;

/** State bits the kernel reports for a device, from {@code dm_ioctl.flags}. */
public enum DeviceFlag {
    /** The device is read-only. */
    READ_ONLY,
    /** The device is suspended. */
    SUSPENDED,
    /** A live table is present. */
    LIVE_TABLE_PRESENT,
    /** An inactive table is loaded, waiting for a resume. */
    INACTIVE_TABLE_PRESENT,
    /** A deferred remove is scheduled for when the last opener closes. */
    DEFERRED_REMOVE,
    /** Suspended internally by the kernel (e.g. by a thin pool). */
    INTERNALLY_SUSPENDED
}
