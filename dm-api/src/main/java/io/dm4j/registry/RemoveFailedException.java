package io.dm4j.registry;

import java.util.List;

/**
 * The kernel kept refusing the remove ({@code EBUSY}) until the policy's deadline, or the device
 * did not disappear. The device and its tables are unchanged.
 */
public class RemoveFailedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final List<String> openers;

    RemoveFailedException(String device, String reason, List<String> openers, Throwable cause) {
        super(device, reason + (openers.isEmpty() ? "" : "; held open by " + String.join(", ", openers)));
        this.openers = List.copyOf(openers);
        initCause(cause);
    }

    /** What keeps it open: {@code "pid 123 (mount)"} entries and stacked devices. */
    public List<String> openers() {
        return openers;
    }
}
