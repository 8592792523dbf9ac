package io.dm4j.registry;

import io.dm4j.TargetLine;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Java side of one kernel table. Its owning reference is its device's slot, which is not
 * counted; {@link #holders} counts the temporary references. It is destroyed exactly once, at a
 * fixed point, after its holders drained.
 */
final class Table {
    final ManagedDevice device;
    final List<TargetLine> lines;
    /** Managed devices this table's targets use; each holds this table in its users. */
    final List<ManagedDevice> uses;
    final Holders holders = new Holders();
    final HoldSet tracked;
    private final AtomicBoolean destroyed = new AtomicBoolean();

    Table(ManagedDevice device, List<TargetLine> lines, List<ManagedDevice> uses, boolean track) {
        this.device = device;
        this.lines = List.copyOf(lines);
        this.uses = List.copyOf(uses);
        this.tracked = track ? new HoldSet() : null;
        for (ManagedDevice u : uses) {
            u.users.add(this);
        }
        device.ledger.made();
    }

    boolean isDestroyed() {
        return destroyed.get();
    }

    /**
     * The destructor: releases what the Java side holds for this table. Callers reach it only
     * after the holders drained, at the registry's fixed destruction points.
     */
    void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            throw new IllegalStateException("table of " + device.name + " destroyed twice");
        }
        if (holders.count() != 0) {
            throw new IllegalStateException("table of " + device.name + " destroyed with holders");
        }

        for (ManagedDevice u : uses) {
            u.users.remove(this);
        }
        device.ledger.destroyed();
    }
}
