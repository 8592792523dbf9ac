package io.dm4j;

/**
 * Who makes the {@code /dev/mapper/NAME} nodes. On a host, udev creates them asynchronously from
 * the kernel's uevents; in containers and minimal machines nobody does, and dm4j must.
 */
public enum NodePolicy {
    /**
     * Decide from the environment: {@link #UDEV} when udev runs with device-mapper's rules and
     * {@code DM_DISABLE_UDEV} is not set, else {@link #LIBRARY}.
     */
    AUTO,
    /**
     * udev makes the nodes, and dm4j waits for it: each resume, remove, rename and uuid change
     * carries a udev cookie (LVM2's protocol) and returns once udev has run its rules for the
     * event, or at a timeout ({@link DeviceMapper#open(java.nio.file.Path, io.dm4j.sys.Syscalls,
     * NodePolicy, java.time.Duration)}). dm4j does not touch {@code /dev/mapper} itself.
     */
    UDEV,
    /**
     * dm4j makes the node on resume, moves it on rename and removes it on remove, and makes
     * {@code /dev/mapper/control} if missing. A udev that runs anyway is told to leave
     * {@code /dev/mapper} alone.
     */
    LIBRARY,
    /** dm4j neither makes nodes nor waits for udev; use the kernel's {@code /dev/dm-N}. */
    NONE
}
