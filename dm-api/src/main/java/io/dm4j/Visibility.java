package io.dm4j;

/**
 * Whether udev rules beyond device-mapper's own look at a device: LVM2's udev flags, which travel
 * in every resume, rename and uuid change. udev takes them from each such event afresh, so pass the
 * same visibility on every one of those calls for a device.
 */
public enum Visibility {
    /** All rules run: {@code /dev/mapper/NAME}, {@code /dev/disk/by-*} links, blkid, udisks and the like. */
    PUBLIC,
    /**
     * An internal device (a thin pool's metadata or data, a snapshot's exception store, a device
     * beneath another): udev still makes {@code /dev/mapper/NAME}, but no {@code /dev/disk} links
     * and no blkid scan, and subsystem and other programs' rules (LVM, multipath, kpartx, mdadm,
     * systemd, udisks) leave it alone. The same flags LVM2 sets for its hidden devices.
     */
    PRIVATE
}
