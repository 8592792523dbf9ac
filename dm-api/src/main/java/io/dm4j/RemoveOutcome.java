package io.dm4j;

/** What a deferred remove did. */
public enum RemoveOutcome {
    /** The device is gone. */
    REMOVED,
    /** The device is open; the kernel removes it when the last opener closes it. */
    DEFERRED
}
