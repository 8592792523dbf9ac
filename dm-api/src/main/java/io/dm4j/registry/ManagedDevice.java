package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.TableSlot;
import io.dm4j.Visibility;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A device the registry manages: its two table slots and who uses it. */
final class ManagedDevice {
    final TableRegistry registry;
    /** Changes only by {@link TableRegistry#rename}, under {@link #mutex}. */
    volatile String name;
    final DeviceNumber number;
    /** Passed on every resume and rename, since udev takes the flags from each event afresh. */
    final Visibility visibility;
    /** Serializes this device's load, resume, clear and remove; holders never take it. */
    final Object mutex = new Object();
    volatile Table live;
    volatile Table inactive;
    /** Tables that left their slot while holders remained; destroyed at the next fixed point. */
    final List<Table> retired = new ArrayList<>();
    volatile boolean removing;
    /** Open channels on the device: they must close before it can be removed. */
    final Holders channels = new Holders();
    final HoldSet trackedChannels;
    /** Tables of other managed devices that use this one. */
    final Set<Table> users = ConcurrentHashMap.newKeySet();

    ManagedDevice(TableRegistry registry, String name, DeviceNumber number, Visibility visibility, boolean track) {
        this.registry = registry;
        this.name = name;
        this.number = number;
        this.visibility = visibility;
        this.trackedChannels = track ? new HoldSet() : null;
    }

    Table slot(TableSlot slot) {
        return slot == TableSlot.LIVE ? live : inactive;
    }

    /** Names of the devices whose tables use this one. */
    List<String> userNames() {
        List<String> names = new ArrayList<>();
        for (Table t : users) {
            if (!names.contains(t.device.name)) {
                names.add(t.device.name);
            }
        }
        return names;
    }
}
