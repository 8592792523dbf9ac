package io.dm4j;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import java.io.IOException;
import java.util.Optional;

/**
 * A device-mapper command failed in the kernel. Carries the command, the device, the errno and a
 * hint a person can act on.
 */
public class DeviceMapperException extends IOException {
    private static final long serialVersionUID = 1L;

    private final DmCommand command;
    private final String device;
    private final int errno;
    private final String hint;

    DeviceMapperException(DmCommand command, String device, ErrnoException cause) {
        this(command, device, cause.errnoValue(), hint(command, cause.errnoValue()), cause);
    }

    DeviceMapperException(DmCommand command, String device, int errno, String hint, Throwable cause) {
        super(command + (device == null ? "" : " " + device) + ": " + describe(errno)
                + (hint.isEmpty() ? "" : ": " + hint), cause);
        this.command = command;
        this.device = device;
        this.errno = errno;
        this.hint = hint;
    }

    private static String describe(int errno) {
        return Errno.of(errno).map(e -> e.name() + " (" + e.description() + ")").orElse("errno " + errno);
    }

    static String hint(DmCommand command, int errno) {
        Errno e = Errno.of(errno).orElse(null);
        if (e == null) {
            return "";
        }
        return switch (e) {
            case EACCES, EPERM -> "needs CAP_SYS_ADMIN: run as root or in a privileged container";
            case ENXIO -> "no such device: check the name with 'dmctl ls'";
            case EBUSY -> command == DmCommand.DM_DEV_CREATE || command == DmCommand.DM_DEV_RENAME
                    ? "a device with that name or uuid already exists"
                    : "the device is in use: close whatever holds it open (see 'dmctl holders')";
            case EINVAL -> command == DmCommand.DM_TABLE_LOAD
                    ? "the kernel rejected the table; its log ('dmesg') says why"
                    : "the kernel rejected the request";
            case ENOTTY -> "not a device-mapper control node";
            default -> "";
        };
    }

    /** The command that failed. */
    public DmCommand command() {
        return command;
    }

    /** The device it addressed, if any. */
    public Optional<String> device() {
        return Optional.ofNullable(device);
    }

    /** The raw errno. */
    public int errnoValue() {
        return errno;
    }

    /** The errno as a constant, if it is a known one. */
    public Optional<Errno> errno() {
        return Errno.of(errno);
    }

    /** The symbolic errno name, e.g. {@code "EBUSY"}. */
    public String errnoName() {
        return errno().map(Enum::name).orElse("errno " + errno);
    }

    /** What a person can do about it; empty if there is nothing specific to say. */
    public String hint() {
        return hint;
    }
}
