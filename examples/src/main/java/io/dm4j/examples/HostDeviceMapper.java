package io.dm4j.examples;

import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.DeviceMapperException;
import io.dm4j.PermissionDeniedException;
import io.dm4j.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This host's device-mapper: a client of it, or, when the host cannot give one, an error saying
 * why (no driver, no control node, no privilege) and what to do. dmctl and the example programs
 * ask for device-mapper only here, after everything that needs no kernel is done, so that a host
 * without it answers all the rest itself; under examples/launch this is the point where a
 * command goes to a real kernel instead ({@link Launcher}).
 */
public final class HostDeviceMapper {
    private static final Path PROC_MISC = Path.of("/proc/misc");
    /** What opening the control node fails with when device-mapper is not usable here. */
    private static final List<Errno> NOT_USABLE = List.of(Errno.ENOENT, Errno.ENODEV, Errno.ENXIO, Errno.EACCES,
            Errno.EPERM);

    private HostDeviceMapper() {}

    /**
     * device-mapper cannot be used on this host; the message says why and what to do.
     * Other failures to open it (out of descriptors, a broken native backend) are not this.
     */
    public static final class NotUsableException extends IOException {
        private static final long serialVersionUID = 1L;

        NotUsableException(String why, DeviceMapperException cause) {
            super("device-mapper is not usable here: " + why, cause);
        }
    }

    /**
     * Opens {@link DeviceMapper#CONTROL}.
     *
     * @throws NotUsableException if this host has no usable device-mapper
     */
    public static DeviceMapper open() throws IOException {
        return open(NodePolicy.AUTO);
    }

    /**
     * Opens {@link DeviceMapper#CONTROL} with a policy for {@code /dev/mapper} nodes.
     *
     * @throws NotUsableException if this host has no usable device-mapper
     */
    public static DeviceMapper open(NodePolicy nodePolicy) throws IOException {
        try {
            return DeviceMapper.open(DeviceMapper.CONTROL, io.dm4j.sys.Syscalls.get(), nodePolicy);
        } catch (DeviceMapperException e) {
            Optional<String> why = whyNotUsable(e, driverRegistered());
            if (why.isPresent()) {
                throw new NotUsableException(why.get(), e);
            }
            throw e;
        }
    }

    /**
     * Why opening the control node failed, if it failed because device-mapper is not usable here.
     *
     * @param driverRegistered whether the kernel lists device-mapper among its misc devices
     */
    static Optional<String> whyNotUsable(DeviceMapperException e, boolean driverRegistered) {
        if (NOT_USABLE.stream().noneMatch(e::is)) {
            return Optional.empty();
        }
        String failed = e.errnoName() + " opening " + DeviceMapper.CONTROL;
        if (!driverRegistered) {
            // Checked first: without the driver, a stale node's permissions would only mislead.
            return Optional.of("dm_mod is not loaded (no device-mapper in " + PROC_MISC + "; " + failed
                    + "): load it with 'modprobe dm_mod' as root");
        }
        if (e instanceof PermissionDeniedException) {
            return Optional.of("it needs CAP_SYS_ADMIN, which this process lacks (" + failed
                    + "): run as root, or in a privileged container");
        }
        return Optional.of("the kernel has device-mapper, but " + DeviceMapper.CONTROL + " is missing or stale ("
                + failed + "): make it with 'dmsetup mknodes' as root");
    }

    /** Whether the kernel has registered device-mapper's misc device; unknown counts as yes. */
    private static boolean driverRegistered() {
        try {
            return Files.readAllLines(PROC_MISC).stream().anyMatch(l -> l.strip().endsWith(" device-mapper"));
        } catch (IOException unreadable) {
            return true; // say nothing about the driver without having seen the list
        }
    }
}
