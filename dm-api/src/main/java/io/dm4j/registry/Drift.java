package io.dm4j.registry;

/**
 * Something another program changed behind the registry's back, found and followed by
 * {@link TableRegistry#reconcile()} (or when an operation touched the device).
 *
 * @param device the name the registry knew the device by
 * @param kind what changed
 * @param detail what the registry did, e.g. {@code "now managed as vol1"}
 */
public record Drift(String device, Kind kind, String detail) {
    /** What another program changed. */
    public enum Kind {
        /** The device was removed: the registry forgot it, destroying its tables once their holders close. */
        VANISHED,
        /** The device was renamed: the registry manages it by its new name. */
        RENAMED,
        /** A table was loaded, made live or cleared: the registry's slots now hold the kernel's tables. */
        RELOADED
    }
}
