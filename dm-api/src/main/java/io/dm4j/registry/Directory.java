package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The managed devices by name. Lookups take no lock; publishing, renaming, forgetting and closing
 * take this object's monitor, so that nothing is published after {@link #close} has taken its
 * snapshot.
 */
final class Directory {
    private final Map<String, ManagedDevice> byName = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** The device managed under {@code name}. */
    ManagedDevice get(String name) throws RegistryException {
        if (name == null) {
            throw new InvalidArgumentException("name", "must not be null");
        }
        if (closed) {
            throw new RegistryClosedException(name, false);
        }
        ManagedDevice d = byName.get(name);
        if (d == null) {
            throw new NotManagedException(name);
        }
        return d;
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The managed device with this number, if any. */
    ManagedDevice byNumber(DeviceNumber number) {
        for (ManagedDevice d : byName.values()) {
            if (d.number.equals(number)) {
                return d;
            }
        }
        return null;
    }

    Set<String> names() {
        return Set.copyOf(byName.keySet());
    }

    Collection<ManagedDevice> all() {
        return byName.values();
    }

    void checkOpen(String name) throws RegistryClosedException {
        if (closed) {
            throw new RegistryClosedException(name, false);
        }
    }

    /** Makes the device managed under its name. */
    synchronized void publish(ManagedDevice d) throws RegistryException {
        checkOpen(d.name);
        if (byName.putIfAbsent(d.name, d) != null) {
            throw new RegistryException(d.name, "is already managed");
        }
    }

    /** Takes {@code newName} for the device, beside its current name, until {@link #renamed} or {@link #release}. */
    synchronized void reserve(String newName, ManagedDevice d) throws RegistryException {
        checkOpen(newName);
        if (byName.putIfAbsent(newName, d) != null) {
            throw new RegistryException(newName, "is already managed");
        }
    }

    synchronized void release(String name, ManagedDevice d) {
        byName.remove(name, d);
    }

    /**
     * The device now has {@code newName} (reserved by it, or free): the old name goes. False if
     * another device took that name meanwhile; nothing changed then.
     */
    synchronized boolean renamed(ManagedDevice d, String oldName, String newName) {
        ManagedDevice holder = byName.putIfAbsent(newName, d);
        if (holder != null && holder != d) {
            return false;
        }
        byName.remove(oldName, d);
        d.name = newName;
        return true;
    }

    /** The device leaves the registry. */
    synchronized void forget(ManagedDevice d) {
        byName.remove(d.name, d);
    }

    /** Closes the directory: nothing is published from now on. Returns what was managed. */
    synchronized List<ManagedDevice> close() {
        closed = true;
        List<ManagedDevice> all = new ArrayList<>(byName.values());
        byName.clear();
        return all;
    }

    boolean isClosed() {
        return closed;
    }
}
