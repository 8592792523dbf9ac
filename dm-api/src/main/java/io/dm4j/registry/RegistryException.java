package io.dm4j.registry;

import java.io.IOException;

/** A registry operation could not be done; the device and the registry are as they were. */
public class RegistryException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String device;

    RegistryException(String device, String message) {
        super(device + ": " + message);
        this.device = device;
    }

    /** The device concerned. */
    public String device() {
        return device;
    }
}
