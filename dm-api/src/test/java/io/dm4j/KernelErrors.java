package io.dm4j;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import java.util.List;

/**
 * The exceptions {@link DeviceMapper} throws, for kernel models in other test packages: their
 * constructors are package-private, and a model that threw look-alikes would test nothing.
 */
public final class KernelErrors {
    private KernelErrors() {}

    /** What a failed ioctl becomes: the same typed exception {@link DeviceMapper} builds from the errno. */
    public static DeviceMapperException of(DmCommand command, String device, Errno errno) {
        return DeviceMapperException.of(command, device, ioctl(errno));
    }

    /** A busy remove, with the open count {@link DeviceMapper#remove} looks up after it (-1: unknown). */
    public static DeviceBusyException busy(DmCommand command, String device, int openCount) {
        return new DeviceBusyException(command, device, Errno.EBUSY.number(), openCount, ioctl(Errno.EBUSY));
    }

    /** A load the kernel refused ({@code EINVAL}, or {@code ENXIO} for a device the table names). */
    public static TableRejectedException tableRejected(String device, Errno errno, String table) {
        return new TableRejectedException(device, errno.number(), table, List.of(), ioctl(errno));
    }

    /** Before a resume, remove or rename under udev: the cookie semaphore could not be made. */
    public static DeviceMapperException udevCookieFailed(DmCommand command, String device, Errno errno) {
        ErrnoException cause = new ErrnoException("semget", "cookie", errno.number());
        return new DeviceMapperException(command, device, errno.number(), "cannot make a udev cookie semaphore ("
                + cause.getMessage() + "); check the SysV semaphore limits in /proc/sys/kernel/sem and 'ipcs -s',"
                + " or open with NodePolicy.LIBRARY", cause);
    }

    /** After a resume, remove or rename under udev: the ioctl succeeded, the wait for udev did not. */
    public static DeviceMapperException udevWaitFailed(DmCommand command, String device, Errno errno) {
        return new DeviceMapperException(command, device, errno.number(),
                "the command succeeded, but waiting for udev on its cookie failed",
                new ErrnoException("semtimedop", "cookie", errno.number()));
    }

    private static ErrnoException ioctl(Errno errno) {
        return new ErrnoException("ioctl", "/dev/mapper/control", errno.number());
    }
}
