package io.dm4j;

/** The device does not exist ({@code ENXIO}). */
public class DeviceNotFoundException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    DeviceNotFoundException(DmCommand command, String device, int errno, Throwable cause) {
        super(command, device, errno, "no such device: check the name with 'dmctl ls'", cause);
    }
}
