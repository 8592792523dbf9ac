package io.dm4j.registry;

import java.io.IOException;

/**
 * A registry operation could not be done. Unless {@link #kernelChanged()} or the type says
 * otherwise, the device and the registry are as they were before the call. The types that say
 * otherwise: {@link DeviceVanishedException} and {@link DeviceRenamedException} (another program
 * changed the device, and the registry followed it), {@link KernelChangedException}.
 */
public class RegistryException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String device;
    private final boolean kernelChanged;

    RegistryException(String device, String message) {
        this(device, message, false, null);
    }

    RegistryException(String device, String message, boolean kernelChanged, Throwable cause) {
        super(device + ": " + message, cause);
        this.device = device;
        this.kernelChanged = kernelChanged;
    }

    /** The device concerned. */
    public String device() {
        return device;
    }

    /**
     * True if the kernel had already made the change when the operation failed: the registry then
     * follows the kernel (the message says how), and retrying the same change would do it twice.
     * False if nothing changed.
     */
    public boolean kernelChanged() {
        return kernelChanged;
    }
}
