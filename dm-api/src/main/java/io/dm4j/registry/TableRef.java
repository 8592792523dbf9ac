package io.dm4j.registry;

import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.util.List;

/**
 * A temporary holder reference on one table, from {@link TableRegistry#acquire}. While it is
 * open, the table is not destroyed: a load, resume, clear or remove that would destroy it waits
 * for it. {@link #close} is idempotent, never blocks and never destroys anything.
 */
public final class TableRef implements AutoCloseable {
    private final Table table;
    private final TableSlot slot;
    private final Hold hold;

    TableRef(Table table, TableSlot slot, Hold hold) {
        this.table = table;
        this.slot = slot;
        this.hold = hold;
    }

    /** The device whose table this is. */
    public String device() {
        return table.device.name;
    }

    /** The slot the table was in when the reference was taken. */
    public TableSlot slot() {
        return slot;
    }

    /** The table's lines. */
    public List<TargetLine> lines() {
        if (hold.isReleased()) {
            throw new IllegalStateException("reference to the table of " + device() + " is closed");
        }
        return table.lines;
    }

    Hold hold() {
        return hold;
    }

    /** True until closed. */
    public boolean isOpen() {
        return !hold.isReleased();
    }

    /** True if the table was destroyed; never while this reference is open. */
    boolean tableDestroyed() {
        return table.isDestroyed();
    }

    /** Releases the reference. */
    @Override
    public void close() {
        try {
            hold.release();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a table hold has no resource to close
        }
    }
}
