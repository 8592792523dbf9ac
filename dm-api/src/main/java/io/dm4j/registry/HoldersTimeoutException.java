package io.dm4j.registry;

import java.util.List;

/**
 * Holders did not release a table or device before the deadline. Nothing was destroyed or
 * removed half-way: the device and registry are as before the call (a table that had already
 * left its slot is destroyed at the device's next load, resume, clear or remove).
 */
public class HoldersTimeoutException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final transient List<Holder> holders;
    private final int count;

    HoldersTimeoutException(String device, String operation, int count, List<Holder> holders) {
        super(device, operation + " gave up waiting for " + count + " holder(s) to close their references"
                + (holders.isEmpty() ? " (use HolderTracking.THREADS or STACKS to see who)" : ": " + holders));
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
