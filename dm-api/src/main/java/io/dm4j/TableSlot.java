package io.dm4j;

/**
 * The two table slots of a device. A load fills the inactive slot; a resume moves that table
 * into the live slot and destroys the table it replaces.
 */
public enum TableSlot {
    /** The table the device maps I/O with. */
    LIVE,
    /** The table loaded and waiting for the next resume. */
    INACTIVE
}
