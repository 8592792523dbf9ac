package io.dm4j;

/** A device with that name or uuid already exists ({@code EBUSY} on create or rename). */
public class DeviceExistsException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    DeviceExistsException(DmCommand command, String device, int errno, Throwable cause) {
        super(command, device, errno, "a device with that name or uuid already exists", cause);
    }
}
