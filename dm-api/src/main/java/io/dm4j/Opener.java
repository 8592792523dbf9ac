package io.dm4j;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One thing that keeps a block device open, as {@link Openers#of(DeviceNumber)} finds it. Each
 * kind's {@code toString()} is one line a person can act on, e.g. {@code pid 1234 (mkfs.ext4) fd 3}.
 */
public sealed interface Opener {

    /**
     * A process with the device open.
     *
     * @param pid its process id
     * @param command its command name, from {@code /proc/PID/comm} ({@code ?} if it exited while we looked)
     * @param fds its file descriptors open on the device, ascending
     */
    record Process(long pid, String command, List<Integer> fds) implements Opener {
        /** Copies {@code fds}. */
        public Process {
            fds = List.copyOf(fds);
        }

        @Override
        public String toString() {
            return "pid " + pid + " (" + command + ") fd "
                    + fds.stream().map(String::valueOf).collect(Collectors.joining(", "));
        }
    }

    /**
     * A mounted file system on the device, in this process's mount namespace.
     *
     * @param mountPoint where it is mounted
     * @param fsType its file system type, e.g. {@code ext4}
     */
    record Mount(String mountPoint, String fsType) implements Opener {
        @Override
        public String toString() {
            return "mounted on " + mountPoint + " (" + fsType + ")";
        }
    }

    /**
     * The device in use as swap space.
     *
     * @param path the device as {@code /proc/swaps} names it
     */
    record Swap(String path) implements Opener {
        @Override
        public String toString() {
            return "used as swap (" + path + ")";
        }
    }

    /**
     * A block device stacked on this one (its table or driver uses it): what sysfs lists in
     * {@code holders/}.
     *
     * @param kernelName its name in {@code /sys/block}, e.g. {@code dm-4}
     * @param device its device number
     * @param dmName its device-mapper name, if it is a device-mapper device
     */
    record StackedDevice(String kernelName, DeviceNumber device, Optional<String> dmName) implements Opener {
        @Override
        public String toString() {
            return "device " + dmName.orElse(kernelName) + " (" + device + ") stacked on it";
        }
    }

    /**
     * A loop device whose backing file is this device.
     *
     * @param kernelName its name in {@code /sys/block}, e.g. {@code loop3}
     * @param device its device number
     */
    record LoopDevice(String kernelName, DeviceNumber device) implements Opener {
        @Override
        public String toString() {
            return "loop device /dev/" + kernelName + " (" + device + ") backed by it";
        }
    }
}
