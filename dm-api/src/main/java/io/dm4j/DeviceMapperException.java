package io.dm4j;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.HasErrno;
import java.io.IOException;
import java.util.Optional;

/**
 * A device-mapper command failed in the kernel. Carries the command, the device, the errno and a
 * hint a person can act on.
 */
public class DeviceMapperException extends IOException implements HasErrno {
    private static final long serialVersionUID = 1L;

    private final DmCommand command;
    private final String device;
    private final int errno;
    private final String hint;

    DeviceMapperException(DmCommand command, String device, int errno, String hint, Throwable cause) {
        super(command + (device == null ? "" : " " + device) + ": " + Errno.describe(errno)
                + (hint.isEmpty() ? "" : ": " + hint), cause);
        this.command = command;
        this.device = device;
        this.errno = errno;
        this.hint = hint;
    }

    /**
     * The typed exception for a failed command. Busy removes and rejected tables need more
     * context and are built by the client.
     */
    static DeviceMapperException of(DmCommand command, String device, ErrnoException cause) {
        int errno = cause.errnoValue();
        Errno e = cause.errno().orElse(null);
        if (e == Errno.EACCES || e == Errno.EPERM) {
            return new PermissionDeniedException(command, device, errno, cause);
        }
        if (e == Errno.ENXIO) {
            return new DeviceNotFoundException(command, device, errno, cause);
        }
        if (command == DmCommand.DM_TARGET_MSG) {
            // Message handlers return EBUSY, EEXIST, EOPNOTSUPP... for their own reasons, none of
            // which is an open device.
            return new DeviceMapperException(command, device, errno,
                    "the message was refused; the kernel log ('dmesg') says why", cause);
        }
        if (e == Errno.EBUSY && (command == DmCommand.DM_DEV_CREATE || command == DmCommand.DM_DEV_RENAME)) {
            return new DeviceExistsException(command, device, errno, cause);
        }
        if (e == Errno.EBUSY) {
            return new DeviceBusyException(command, device, errno, -1, cause);
        }
        String hint = switch (e == null ? Errno.EIO : e) {
            case EINVAL -> "the kernel rejected the request; its log ('dmesg') may say why";
            case ENOTTY -> "not a device-mapper control node";
            case ENOMEM -> "the kernel is out of memory";
            default -> "";
        };
        return new DeviceMapperException(command, device, errno, hint, cause);
    }

    /** The command that failed. */
    public DmCommand command() {
        return command;
    }

    /** The device it addressed, if any. */
    public Optional<String> device() {
        return Optional.ofNullable(device);
    }

    @Override
    public int errnoValue() {
        return errno;
    }

    /** What a person can do about it; empty if there is nothing specific to say. */
    public String hint() {
        return hint;
    }
}
