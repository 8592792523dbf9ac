package io.dm4j;

/**
 * The device-mapper control commands, with the ioctl number and the lowest interface version that
 * has each one. dm4j asks the kernel for exactly that version, like libdevmapper.
 */
public enum DmCommand {
    /** Report the interface version. */
    DM_VERSION(0, 0),
    /** Remove every device that is not open. */
    DM_REMOVE_ALL(1, 0),
    /** List devices. */
    DM_LIST_DEVICES(2, 0),
    /** Create a device with no table. */
    DM_DEV_CREATE(3, 0),
    /** Remove a device. */
    DM_DEV_REMOVE(4, 0),
    /** Rename a device or set its uuid. */
    DM_DEV_RENAME(5, 0),
    /** Suspend or resume a device. */
    DM_DEV_SUSPEND(6, 0),
    /** A device's status header. */
    DM_DEV_STATUS(7, 0),
    /** Wait for a device event. */
    DM_DEV_WAIT(8, 0),
    /** Load the inactive table. */
    DM_TABLE_LOAD(9, 0),
    /** Drop the inactive table. */
    DM_TABLE_CLEAR(10, 0),
    /** Devices a table uses. */
    DM_TABLE_DEPS(11, 0),
    /** Table or status lines. */
    DM_TABLE_STATUS(12, 0),
    /** Loaded target types and versions. */
    DM_LIST_VERSIONS(13, 1),
    /** Send a message to a target. */
    DM_TARGET_MSG(14, 2),
    /** Set the device's geometry. */
    DM_DEV_SET_GEOMETRY(15, 6),
    /** Re-arm poll() on the control descriptor. */
    DM_DEV_ARM_POLL(16, 37),
    /** One target type's version. */
    DM_GET_TARGET_VERSION(17, 41);

    private final int number;
    private final DmVersion minimum;

    DmCommand(int number, int minimumMinor) {
        this.number = number;
        this.minimum = new DmVersion(4, minimumMinor, 0);
    }

    /** The command number, {@code _IOC_NR} of the request. */
    public int number() {
        return number;
    }

    /** The lowest interface version that has this command. */
    public DmVersion minimumVersion() {
        return minimum;
    }
}
