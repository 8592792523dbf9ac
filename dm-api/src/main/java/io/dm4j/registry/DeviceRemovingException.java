package io.dm4j.registry;

/** A remove of the device is in progress, so no new holder reference can be taken. */
public class DeviceRemovingException extends RegistryException {
    private static final long serialVersionUID = 1L;

    DeviceRemovingException(String device) {
        super(device, "is being removed: no new references can be taken");
    }
}
