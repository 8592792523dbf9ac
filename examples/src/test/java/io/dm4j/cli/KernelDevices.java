package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the ITs ask the kernel directly, not through dmctl. */
final class KernelDevices {
    private KernelDevices() {}

    /** Whether the kernel has a device of this name now. */
    static boolean exists(String name) throws IOException {
        try (DeviceMapper dm = DeviceMapper.open()) {
            dm.info(name);
            return true;
        } catch (DeviceNotFoundException e) {
            return false;
        }
    }

    /** The device number of a device that exists. */
    static DeviceNumber number(String name) throws IOException {
        try (DeviceMapper dm = DeviceMapper.open()) {
            return dm.info(name).device();
        }
    }

    /**
     * Whether the device is gone within 10 s: the kernel removes a deferred device from a
     * workqueue after the last close, soon but not at once, and it drops the name before it
     * destroys the table (a thin volume is still open in its pool until then). So the device is
     * gone only when its block device has left sysfs too.
     */
    static boolean goneSoon(String name, DeviceNumber number) throws IOException, InterruptedException {
        for (int i = 0; i < 200 && (exists(name) || inSysfs(number, name)); i++) {
            Thread.sleep(50);
        }
        return !exists(name) && !inSysfs(number, name);
    }

    /** Its number is still in sysfs as this device (the name unreadable while it is torn down). */
    private static boolean inSysfs(DeviceNumber number, String name) {
        Path sys = Path.of("/sys/dev/block/" + number);
        if (!Files.exists(sys)) {
            return false;
        }
        try {
            return Files.readString(sys.resolve("dm/name")).strip().equals(name);
        } catch (IOException halfTornDown) {
            return true;
        }
    }
}
