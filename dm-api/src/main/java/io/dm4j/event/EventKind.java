package io.dm4j.event;

/** What changed about a device between two looks at the kernel's device list. */
public enum EventKind {
    /** The device appeared. */
    CREATED,
    /** The device disappeared. */
    REMOVED,
    /** The device has a new name (same device number and uuid). */
    RENAMED,
    /** The device's event counter moved: a target raised an event (e.g. a thin pool's low-water mark). */
    TABLE_EVENT
}
