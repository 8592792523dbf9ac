package io.dm4j.registry;

import java.util.List;

/**
 * Holders did not release a table or device before the deadline. Nothing is destroyed while
 * held. What else happened depends on the operation, and {@link #kernelChanged()} says which:
 * <ul>
 *   <li>a remove: nothing changed in the kernel; the device stays managed and usable;
 *   <li>a close: the registry is closed all the same; the tables still held are not destroyed;
 *   <li>a load, resume or clear: the kernel made the change, and the registry's slots follow it;
 *       only the table that left its slot waits, detached (no new holder can reach it), and is
 *       destroyed once its holders close, at the registry's next fixed point. Do not repeat the
 *       operation.
 * </ul>
 */
public class HoldersTimeoutException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final transient List<Holder> holders;
    private final int count;

    HoldersTimeoutException(String device, String operation, int count, List<Holder> holders, boolean kernelChanged) {
        super(device, operation + (kernelChanged ? " took effect in the kernel, but" : "") + " gave up waiting for "
                + count + " holder(s) to close their references"
                + (holders.isEmpty() ? " (use HolderTracking.THREADS or STACKS to see who)" : ": " + holders)
                + (kernelChanged ? "; the replaced table is destroyed once they close" : ""), kernelChanged, null);
        this.holders = List.copyOf(holders);
        this.count = count;
    }

    /** The holders that remained, as far as tracking recorded them. */
    public List<Holder> holders() {
        return holders;
    }

    /** How many holders remained. */
    public int count() {
        return count;
    }
}
