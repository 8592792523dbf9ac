package io.dm4j;

import java.time.Duration;

/**
 * How one command that makes the kernel send a uevent (resume, remove, rename, uuid change)
 * waited for udev under {@link NodePolicy#UDEV}; see {@link DeviceMapper#onUdevSync}.
 *
 * @param command {@link DmCommand#DM_DEV_SUSPEND} (a resume), {@link DmCommand#DM_DEV_REMOVE} or
 *     {@link DmCommand#DM_DEV_RENAME}
 * @param device the name the command addressed
 * @param cookie the cookie sent with it: {@code 0x0D4D0000} plus the semaphore's random base
 * @param outcome how the wait ended
 * @param waited from making the cookie to its removal, the ioctl included
 */
public record UdevSync(DmCommand command, String device, int cookie, Outcome outcome, Duration waited) {

    /** How a wait for udev ended. */
    public enum Outcome {
        /** udev ran its rules for the event ({@code dmsetup udevcomplete}): the nodes are in place. */
        COMPLETED,
        /**
         * The kernel sent no uevent (e.g. a resume of a device that was not suspended, or a
         * deferred remove of an open device), so there was nothing to wait for.
         */
        NO_UEVENT,
        /**
         * udev did not finish within the timeout (not running, stopped, or swamped). The command
         * itself succeeded; {@code /dev/mapper} may lag behind until udev catches up.
         */
        TIMED_OUT,
        /** The calling thread was interrupted while waiting; its interrupt status is set again. */
        INTERRUPTED
    }
}
