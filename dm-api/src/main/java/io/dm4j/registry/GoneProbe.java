package io.dm4j.registry;

import io.dm4j.DeviceListEntry;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Whether a removed device is really gone: not in the kernel's device list, no sysfs entry under
 * its name, and no {@code /dev/mapper} node or link (a dangling udev link counts as present).
 */
final class GoneProbe {
    private final Kernel kernel;

    GoneProbe(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel still lists a device by this name and number. */
    boolean listed(ManagedDevice d) throws IOException {
        for (DeviceListEntry e : kernel.list("")) {
            if (e.name().equals(d.name) && e.device().equals(d.number)) {
                return true;
            }
        }
        return false;
    }

    /** What {@link #awaitGone} returns when the registry began to close first. */
    static final String CLOSING = "the registry closed before the device was seen gone";

    /**
     * Waits until the device is gone, at most until {@code deadline}, or until {@code closing}.
     *
     * @return null when gone, {@link #CLOSING}, else what remains
     * @throws InterruptedException if interrupted while waiting (status cleared)
     */
    String awaitGone(ManagedDevice d, long deadline, java.util.function.BooleanSupplier closing)
            throws IOException, InterruptedException {
        while (true) {
            boolean listed = listed(d);
            if (!listed) {
                kernel.mknodes(d.name); // a deferred remove ends in the kernel: its node is ours to drop
            }
            boolean inSysfs = kernel.inSysfs(d.number, d.name);
            boolean node = kernel.nodePresent(d.name);
            if (!listed && !inSysfs && !node) {
                return null;
            }
            if (closing.getAsBoolean()) {
                return CLOSING;
            }
            if (System.nanoTime() - deadline >= 0) {
                return listed ? "it is still listed" : inSysfs ? "/sys/dev/block/" + d.number + " remains"
                        : "/dev/mapper/" + d.name + " remains";
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }
}
