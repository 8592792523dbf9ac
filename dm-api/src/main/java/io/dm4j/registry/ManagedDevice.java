package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.TableSlot;
import io.dm4j.Visibility;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A device the registry manages: its lifecycle state, its two table slots and who uses it.
 *
 * <p>Every change of its slots and name, and of its state but one, happens with {@link #lock}
 * held; holders never take it, and read the volatile fields instead. The state moves
 * {@code ACTIVE -> REMOVING -> (ACTIVE | GONE)}, {@code ACTIVE -> GONE} when another program
 * removed it, and {@code * -> CLOSED} when the registry closes: that one move is made without
 * the lock, so that an operation holding it sees it at its next wait and ends. GONE and CLOSED
 * are final (a remove that ends after a close leaves GONE, which closes nothing more).
 */
final class ManagedDevice {
    /** Where the device is in its life, as the registry sees it. */
    enum State {
        /** Usable: references can be taken and operations run. */
        ACTIVE,
        /** A remove is under way: no new references; it ends ACTIVE again (failed) or GONE. */
        REMOVING,
        /** Removed (by the registry or behind its back) and forgotten. */
        GONE,
        /** The registry closed. */
        CLOSED
    }

    final Ledger ledger;
    /** Changes only by a rename (the registry's or a followed one), under {@link #lock}. */
    volatile String name;
    final DeviceNumber number;
    /** The uuid it was made or adopted with: what tells a rename from a new device in its place. */
    final Optional<String> uuid;
    /** Passed on every resume and rename, since udev takes the flags from each event afresh. */
    final Visibility visibility;
    /** Serializes this device's operations; waits for it are interruptible. */
    final ReentrantLock lock = new ReentrantLock();
    /** Read freely; written under {@link #lock}, or by {@link #close()}, and moved back only by {@link #restore()}. */
    volatile State state = State.ACTIVE;
    volatile Table live;
    volatile Table inactive;
    /** Open channels on the device: they must close before it can be removed. */
    final Holders channels = new Holders();
    final HoldSet trackedChannels;
    /** Tables of other managed devices that use this one. */
    final Set<Table> users = ConcurrentHashMap.newKeySet();

    ManagedDevice(Ledger ledger, String name, DeviceNumber number, Optional<String> uuid, Visibility visibility,
            boolean track) {
        this.ledger = ledger;
        this.name = name;
        this.number = number;
        this.uuid = uuid;
        this.visibility = visibility;
        this.trackedChannels = track ? new HoldSet() : null;
    }

    private static final java.lang.invoke.VarHandle STATE;

    static {
        try {
            STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(ManagedDevice.class, "state", State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The registry closes: final, whatever the device was doing. */
    void close() {
        state = State.CLOSED;
    }

    /** A remove starts: REMOVING, if the device is still ACTIVE (a close may have just marked it). */
    boolean startRemoving() {
        return STATE.compareAndSet(this, State.ACTIVE, State.REMOVING);
    }

    /**
     * A remove that did not happen: ACTIVE again, unless the registry closed meanwhile (a plain
     * write here could undo the close's mark, and an acquire would then spin on a closed table).
     */
    void restore() {
        STATE.compareAndSet(this, State.REMOVING, State.ACTIVE);
    }

    Table slot(TableSlot slot) {
        return slot == TableSlot.LIVE ? live : inactive;
    }

    /** The tables in its slots, live first. */
    List<Table> slotted() {
        List<Table> tables = new ArrayList<>(2);
        Table l = live;
        Table i = inactive;
        if (l != null) {
            tables.add(l);
        }
        if (i != null) {
            tables.add(i);
        }
        return tables;
    }

    /**
     * Fails unless the device is usable by {@code asked}, the name it was looked up by: not being
     * removed, not gone, not closed, and not renamed meanwhile.
     */
    void checkUsable(String asked) throws RegistryException {
        switch (state) {
            case ACTIVE -> {
                if (!name.equals(asked)) {
                    throw new NotManagedException(asked); // renamed meanwhile
                }
            }
            case REMOVING -> throw new DeviceRemovingException(name);
            case GONE -> throw new NotManagedException(asked);
            case CLOSED -> throw new RegistryClosedException(asked, false);
        }
    }

    /** Wakes whoever waits for this device's holders, so that it sees a new state. */
    void wakeWaiters() {
        for (Table t : slotted()) {
            t.holders.wake();
        }
        channels.wake();
    }

    /** Names of the devices whose tables use this one. */
    List<String> userNames() {
        List<String> names = new ArrayList<>();
        for (Table t : users) {
            if (!names.contains(t.device.name)) {
                names.add(t.device.name);
            }
        }
        return names;
    }
}
