package io.dm4j;

import java.io.InterruptedIOException;

/**
 * The calling thread was interrupted while an operation waited (for holders, for a busy device,
 * for nodes, for udev, for an event). The thread's interrupt status is set again. The operation
 * stopped at once and says whether the kernel had already changed: if not, everything is as it
 * was before the call; if so, the caller's view follows the kernel (the message says how).
 */
public class OperationInterruptedException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String device;
    private final boolean kernelChanged;

    /**
     * Sets the calling thread's interrupt status again: whoever throws this was interrupted, and
     * the status travels with the exception.
     *
     * @param operation what was interrupted, e.g. {@code "remove"}
     * @param device the device it addressed
     * @param kernelChanged whether the kernel had already done the change when the wait was interrupted
     * @param detail what it was waiting for, and what state things are in now
     */
    public OperationInterruptedException(String operation, String device, boolean kernelChanged, String detail) {
        super(device + ": " + operation + " interrupted " + detail
                + (kernelChanged ? " (the kernel had already made the change)" : " (the kernel was not changed)"));
        this.operation = operation;
        this.device = device;
        this.kernelChanged = kernelChanged;
        Thread.currentThread().interrupt();
    }

    /** The operation that was interrupted. */
    public String operation() {
        return operation;
    }

    /** The device it addressed. */
    public String device() {
        return device;
    }

    /** True if the kernel had already changed when the wait was interrupted; false if nothing changed. */
    public boolean kernelChanged() {
        return kernelChanged;
    }
}
