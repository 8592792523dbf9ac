package io.dm4j;

import java.util.Optional;
import java.util.Set;

/**
 * What the kernel reports about a device.
 *
 * @param name the device's name
 * @param uuid its uuid, or empty if it has none
 * @param device its block device number
 * @param openCount how many openers the block device has (already stale when read)
 * @param eventNr the device's event counter
 * @param targetCount number of targets in the live table
 * @param flags the state bits
 */
public record DeviceInfo(String name, Optional<String> uuid, DeviceNumber device, int openCount, long eventNr,
        int targetCount, Set<DeviceFlag> flags) {

    /** Makes the flag set unmodifiable. */
    public DeviceInfo {
        flags = Set.copyOf(flags);
    }

    /** True if the device is suspended. */
    public boolean suspended() {
        return flags.contains(DeviceFlag.SUSPENDED);
    }

    /** True if the device has a live table. */
    public boolean hasLiveTable() {
        return flags.contains(DeviceFlag.LIVE_TABLE_PRESENT);
    }

    /** True if an inactive table is loaded. */
    public boolean hasInactiveTable() {
        return flags.contains(DeviceFlag.INACTIVE_TABLE_PRESENT);
    }

    /** The same status under a new name, and a new uuid if one is given. */
    DeviceInfo withIdentity(String newName, String newUuid) {
        return new DeviceInfo(newName, newUuid == null ? uuid : Optional.of(newUuid), device, openCount, eventNr,
                targetCount, flags);
    }
}
