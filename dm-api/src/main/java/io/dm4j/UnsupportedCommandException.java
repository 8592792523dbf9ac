package io.dm4j;

import io.dm4j.sys.Errno;

/** The running kernel's device-mapper is too old for a command or feature; raised before any ioctl. */
public class UnsupportedCommandException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    UnsupportedCommandException(DmCommand command, String device, DmVersion kernel, DmVersion needed,
            String feature) {
        super(command, device, Errno.EOPNOTSUPP.number(), feature + " is unsupported by this kernel (" + kernel.major()
                + "." + kernel.minor() + ", needs " + needed.major() + "." + needed.minor() + ")", null);
    }
}
