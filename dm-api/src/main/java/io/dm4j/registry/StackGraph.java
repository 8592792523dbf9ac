package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.TargetLine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which managed devices a table's targets use, read from their parameters ({@code MAJOR:MINOR},
 * {@code /dev/mapper/NAME}, {@code /dev/dm-N}), and the rule that keeps a stacked load and a remove
 * of the device beneath from both succeeding: a new table first enters each used device's
 * {@link ManagedDevice#users users}, then checks that the device is not being removed; a remove
 * first marks itself removing, then checks its users. Whichever comes second sees the other.
 */
final class StackGraph {
    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+):(\\d+)");

    private final boolean track;

    StackGraph(boolean track) {
        this.track = track;
    }

    /**
     * A table of {@code owner}, entered in the users of every device it uses among
     * {@code candidates}.
     *
     * @throws DeviceRemovingException if a used device is being removed (or gone): the table is
     *     then destroyed again, never having been owned
     */
    Table newTable(ManagedDevice owner, List<TargetLine> lines, Collection<ManagedDevice> candidates)
            throws RegistryException {
        Set<ManagedDevice> uses = new LinkedHashSet<>();
        for (TargetLine line : lines) {
            for (String word : line.params().split("\\s+")) {
                ManagedDevice u = referenced(word, candidates);
                if (u != null && u != owner) {
                    uses.add(u);
                }
            }
        }
        Table t = new Table(owner, lines, new ArrayList<>(uses), track);
        for (ManagedDevice u : uses) {
            if (u.state != ManagedDevice.State.ACTIVE) {
                t.destroy();
                throw new DeviceRemovingException(u.name);
            }
        }
        return t;
    }

    private static ManagedDevice referenced(String word, Collection<ManagedDevice> candidates) {
        Matcher m = MAJOR_MINOR.matcher(word);
        if (m.matches()) {
            try {
                return byNumber(new DeviceNumber(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
                        candidates);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        for (ManagedDevice d : candidates) {
            if (word.equals("/dev/mapper/" + d.name) || word.equals("/dev/dm-" + d.number.minor())) {
                return d;
            }
        }
        return null;
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
