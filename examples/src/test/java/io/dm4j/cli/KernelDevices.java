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
}
