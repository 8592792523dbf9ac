package io.dm4j;

import io.dm4j.internal.ioctl.DmIoctl;

/** Ways to suspend a device. */
public enum SuspendOption {
    /** Do not flush queued I/O first (needed, e.g., for a thin pool that is out of space). */
    NO_FLUSH(DmIoctl.NOFLUSH_FLAG),
    /** Do not freeze a filesystem on the device. */
    SKIP_LOCKFS(DmIoctl.SKIP_LOCKFS_FLAG);

    final int flag;

    SuspendOption(int flag) {
        this.flag = flag;
    }
}
