package io.dm4j.registry;

/**
 * The kernel made the change, then a later step of the same operation failed (a udev or node
 * wait, a look at the result). The registry follows the kernel: its tables, names and devices
 * are as the kernel now has them. The cause is the failure itself.
 */
public class KernelChangedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    KernelChangedException(String device, String operation, String nowState, Throwable cause) {
        super(device, operation + " took effect in the kernel (" + nowState + "), then failed: " + cause.getMessage(),
                true, cause);
    }
}
