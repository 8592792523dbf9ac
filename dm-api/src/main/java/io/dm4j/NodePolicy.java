package io.dm4j;

/**
 * Who makes the {@code /dev/mapper/NAME} nodes. On a host, udev creates them asynchronously from
 * the kernel's uevents; in containers and minimal machines nobody does, and dm4j must.
 */
public enum NodePolicy {
    /** Decide from the environment: {@link #UDEV} when udev runs with device-mapper's rules, else {@link #LIBRARY}. */
    AUTO,
    /** udev makes the nodes; dm4j does not touch {@code /dev/mapper}. */
    UDEV,
    /** dm4j makes, renames and removes the nodes itself, and {@code /dev/mapper/control} if missing. */
    LIBRARY,
    /** Nobody: the caller uses the kernel's {@code /dev/dm-N} nodes. */
    NONE
}
