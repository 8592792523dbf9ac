package io.dm4j.registry;

/**
 * The registry was closed before or during the operation. A call that had not reached the kernel
 * changed nothing; {@link #kernelChanged()} tells if it had.
 */
public class RegistryClosedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    RegistryClosedException(String device, boolean kernelChanged) {
        super(device, "the registry is closed" + (kernelChanged
                ? "; the kernel had already made the change, and the registry destroyed the tables on close" : ""),
                kernelChanged, null);
    }
}
