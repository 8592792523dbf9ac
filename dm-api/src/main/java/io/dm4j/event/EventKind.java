package io.dm4j.event;

/** What happened to a device, or that something may have happened unseen. */
public enum EventKind {
    /** The device appeared. */
    CREATED,
    /** The device disappeared. */
    REMOVED,
    /**
     * The same device has a new name. Reported only when the monitor can prove it is the same
     * device (see {@link EventMonitor}); otherwise a name change is a {@link #REMOVED} and a
     * {@link #CREATED}.
     */
    RENAMED,
    /** The device's event counter moved: a target raised an event (e.g. a thin pool's low-water mark). */
    TABLE_EVENT,
    /**
     * Events may have been lost here: the kernel's uevent sequence skipped numbers, the socket's
     * receive buffer overflowed, or (in {@link EventMonitor.Mode#POLL}) two device lists cannot show
     * what happened between them. Delivered to every subscriber: re-read the state you care about.
     * {@link DeviceEvent#detail()} says why.
     */
    MAYBE_MISSED
}
