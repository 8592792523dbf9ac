package io.dm4j.registry;

import io.dm4j.Opener;
import java.util.List;

/**
 * A remove did not complete. Either the kernel kept refusing it ({@code EBUSY}) until the
 * policy's deadline, or a deferred remove was still pending at the deadline and was cancelled:
 * then nothing changed, and the device stays managed. Or the kernel removed the device but a node
 * or sysfs entry stayed past the deadline: then {@link #kernelChanged()} is true and the registry
 * has forgotten the device.
 */
public class RemoveFailedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final transient List<Opener> openers;

    RemoveFailedException(String device, String reason, List<Opener> openers, boolean kernelChanged, Throwable cause) {
        super(device, reason + (openers.isEmpty() ? "" : "; held open by "
                + String.join(", ", openers.stream().map(Opener::toString).toList())), kernelChanged, cause);
        this.openers = List.copyOf(openers);
    }

    /**
     * What kept it open when it failed, as {@link io.dm4j.Openers} found it: processes (pid,
     * command, descriptors), mounts, swap, stacked and loop devices.
     */
    public List<Opener> openers() {
        return openers;
    }
}
