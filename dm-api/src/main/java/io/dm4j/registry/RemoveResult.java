package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import java.time.Duration;

/**
 * A remove that completed: the device is closed and gone, and what its tables used is released.
 *
 * @param name the removed device
 * @param device the number it had (now free for reuse)
 * @param waitedForHolders how long the remove waited for this program's holders
 * @param busyRetries how many times the kernel answered {@code EBUSY} before it succeeded
 * @param deferred whether the kernel removed it deferred, after its last opener closed
 */
public record RemoveResult(String name, DeviceNumber device, Duration waitedForHolders, int busyRetries,
        boolean deferred) {}
