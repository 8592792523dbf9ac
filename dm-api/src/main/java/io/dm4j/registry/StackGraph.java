package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.OperationInterruptedException;
import java.io.IOException;
import io.dm4j.TargetLine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which managed devices a table's targets use, read from their parameters ({@code MAJOR:MINOR},
 * {@code /dev/mapper/NAME}, {@code /dev/dm-N}), and the rule that keeps a stacked load and a remove
 * of the device beneath from both succeeding: a new table first enters each used device's
 * {@link ManagedDevice#users users}, then checks that the device is not being removed (and if it
 * is, waits for that remove to end); a remove first marks itself removing, then checks its users.
 * Whichever comes second sees the other.
 */
final class StackGraph {
    private final boolean track;

    StackGraph(boolean track) {
        this.track = track;
    }

    /**
     * A table of {@code owner}, entered in the users of every device it uses among
     * {@code candidates}; if one of them is being removed, after that remove ended.
     *
     * @throws RegistryClosedException if the registry closed meanwhile: the table is then
     *     destroyed again, never having been owned
     */
    Table newTable(ManagedDevice owner, List<TargetLine> lines, Collection<ManagedDevice> candidates)
            throws IOException {
        Set<ManagedDevice> uses = new LinkedHashSet<>();
        for (TargetLine line : lines) {
            String params = line.params();
            int i = 0;
            while (i < params.length()) {
                if (Character.isWhitespace(params.charAt(i))) {
                    i++;
                    continue;
                }
                int end = i;
                while (end < params.length() && !Character.isWhitespace(params.charAt(end))) {
                    end++;
                }
                ManagedDevice u = referenced(params.substring(i, end), candidates);
                if (u != null && u != owner) {
                    uses.add(u);
                }
                i = end;
            }
        }
        Table t = new Table(owner, lines, new ArrayList<>(uses), track);
        try {
            for (ManagedDevice u : uses) {
                awaitSettled(u);
                if (u.state == ManagedDevice.State.CLOSED) {
                    throw new RegistryClosedException(owner.name, false);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            t.destroy();
            throw e;
        }
        return t;
    }

    /**
     * Waits until a used device is not being removed. A remove holds the device's lock from the
     * moment it marks itself removing until it ends: it then either failed (it saw this table
     * among the users: the device is active again) or it ended before this table was entered (the
     * device is gone, and the table names a device the registry no longer manages, as if the
     * remove had come first). Either way the two agree on an order. A remove takes no other
     * device's lock; it does wait for the holders of the device's tables, so a thread that holds
     * one itself is refused at once rather than made to wait for its own reference.
     */
    private static void awaitSettled(ManagedDevice u) throws IOException {
        while (u.state == ManagedDevice.State.REMOVING) {
            for (Table t : u.slotted()) {
                if (Reaper.heldByCaller(t.tracked)) {
                    throw new DeviceRemovingException(u.name);
                }
            }
            try {
                u.lock.lockInterruptibly();
            } catch (InterruptedException e) {
                throw new OperationInterruptedException("load", u.name, false,
                        "while waiting for the remove of a device the table uses");
            }
            u.lock.unlock();
        }
    }

    /** The managed device a target parameter names, if any. */
    private static ManagedDevice referenced(String word, Collection<ManagedDevice> candidates) {
        DeviceNumber n = majorMinor(word);
        if (n != null) {
            return byNumber(n, candidates);
        }
        for (ManagedDevice d : candidates) {
            if (word.equals("/dev/mapper/" + d.name) || word.equals("/dev/dm-" + d.number.minor())) {
                return d;
            }
        }
        return null;
    }

    /** {@code MAJOR:MINOR} as a device number, or null (plain parsing: this runs for every word of every table). */
    static DeviceNumber majorMinor(String word) {
        int colon = word.indexOf(':');
        if (colon <= 0 || colon == word.length() - 1 || colon > 10 || word.length() - colon > 11) {
            return null;
        }
        for (int i = 0; i < word.length(); i++) {
            if (i != colon && (word.charAt(i) < '0' || word.charAt(i) > '9')) {
                return null;
            }
        }
        try {
            return new DeviceNumber(Integer.parseInt(word, 0, colon, 10),
                    Integer.parseInt(word, colon + 1, word.length(), 10));
        } catch (IllegalArgumentException outOfRange) {
            return null;
        }
    }

    private static ManagedDevice byNumber(DeviceNumber n, Collection<ManagedDevice> candidates) {
        for (ManagedDevice d : candidates) {
            if (d.number.equals(n)) {
                return d;
            }
        }
        return null;
    }

    /**
     * Checks, after the device was marked removing, that no table uses it.
     *
     * @throws DeviceInUseException naming the devices whose tables use it
     */
    static void checkUnused(ManagedDevice d) throws DeviceInUseException {
        List<String> users = d.userNames();
        if (!users.isEmpty()) {
            throw new DeviceInUseException(d.name, users);
        }
    }
}
