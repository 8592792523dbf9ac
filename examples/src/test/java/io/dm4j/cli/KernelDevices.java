package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import java.io.IOException;

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

    /**
     * Whether the device is gone within 10 s: the kernel removes a deferred device from a
     * workqueue after the last close, soon but not at once.
     */
    static boolean goneSoon(String name) throws IOException, InterruptedException {
        for (int i = 0; i < 200 && exists(name); i++) {
            Thread.sleep(50);
        }
        return !exists(name);
    }
}
