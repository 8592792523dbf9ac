package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.TargetVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * dmctl's text output, byte for byte what {@code dmsetup} (LVM2's {@code dmsetup.c}) prints for
 * the same device, so scripts written against one work with the other.
 */
final class DmsetupText {
    private DmsetupText() {}

    static final String NO_DEVICES = "No devices found\n";

    /** {@code dmsetup info NAME}: the long form, ending with a blank line. */
    static String info(DeviceInfo info, OptionalInt readAhead) {
        StringBuilder sb = new StringBuilder();
        sb.append("Name:              ").append(info.name()).append('\n');
        sb.append("State:             ").append(info.suspended() ? "SUSPENDED" : "ACTIVE")
                .append(info.flags().contains(io.dm4j.DeviceFlag.READ_ONLY) ? " (READ-ONLY)" : "")
                .append(info.flags().contains(io.dm4j.DeviceFlag.DEFERRED_REMOVE) ? " (DEFERRED REMOVE)" : "")
                .append('\n');
        readAhead.ifPresent(r -> sb.append("Read Ahead:        ").append(r).append('\n'));
        sb.append("Tables present:    ");
        if (!info.hasLiveTable() && !info.hasInactiveTable()) {
            sb.append("None");
        } else {
            sb.append(info.hasLiveTable() ? "LIVE" : "")
                    .append(info.hasLiveTable() && info.hasInactiveTable() ? " & " : "")
                    .append(info.hasInactiveTable() ? "INACTIVE" : "");
        }
        sb.append('\n');
        sb.append("Open count:        ").append(info.openCount()).append('\n');
        sb.append("Event number:      ").append(info.eventNr()).append('\n');
        sb.append("Major, minor:      ").append(info.device().major()).append(", ").append(info.device().minor())
                .append('\n');
        sb.append("Number of targets: ").append(info.targetCount()).append('\n');
        info.uuid().filter(u -> !u.isEmpty()).ifPresent(u -> sb.append("UUID: ").append(u).append('\n'));
        return sb.append('\n').toString();
    }

    /** {@code dmsetup ls}: one device, shown by number ({@code 254:0}) or as {@code -o} asks. */
    static String name(String name, String shown) {
        return name + "\t(" + shown + ")\n";
    }

    /** {@code dmsetup ls --target TYPE}: one device, in the other number format dmsetup uses there. */
    static String nameForTarget(String name, DeviceNumber device) {
        return name + "\t(" + device.major() + ", " + device.minor() + ")\n";
    }

    /**
     * One line of {@code dmsetup table} or {@code status}: dmsetup always puts a space after the
     * type, even when the parameters are empty.
     */
    static String targetLine(long start, long length, String type, String params) {
        return start + " " + length + " " + type + " " + params + "\n";
    }

    /** {@code dmsetup deps NAME}. */
    static String deps(List<DeviceNumber> deps) {
        return deps(deps, deps.stream().map(d -> java.util.Optional.<String>empty()).toList());
    }

    /** {@code dmsetup deps -o ...}: each dependency by the name given for it, else by number. */
    static String deps(List<DeviceNumber> deps, List<java.util.Optional<String>> names) {
        StringBuilder sb = new StringBuilder().append(deps.size()).append(" dependencies\t:");
        for (int i = 0; i < deps.size(); i++) {
            DeviceNumber d = deps.get(i);
            sb.append(" (").append(names.get(i).orElse(d.major() + ", " + d.minor())).append(')');
        }
        return sb.append('\n').toString();
    }

    /** {@code dmsetup targets}. */
    static String target(TargetVersion t) {
        return String.format("%-16s v%d.%d.%d%n", t.name(), t.version().major(), t.version().minor(),
                t.version().patch());
    }

    /** The line-drawing characters of {@code dmsetup ls --tree}. */
    enum TreeSymbols {
        ASCII("|-", "| ", "`-"),
        UTF("\u251c\u2500", "\u2502 ", "\u2514\u2500");

        final String branch;
        final String vertical;
        final String last;

        TreeSymbols(String branch, String vertical, String last) {
            this.branch = branch;
            this.vertical = vertical;
            this.last = last;
        }

        /** dmsetup draws with UTF-8 lines when the locale's character set is UTF-8. */
        static TreeSymbols forLocale() {
            String cs = System.getProperty("native.encoding", System.getProperty("sun.jnu.encoding", ""));
            return cs.equalsIgnoreCase("UTF-8") ? UTF : ASCII;
        }
    }

    /**
     * {@code dmsetup ls --tree}: each device not used by another is a root, its dependencies below
     * it; devices that are not device-mapper devices show only their number.
     */
    static String tree(List<DeviceListEntry> devices, Map<DeviceNumber, List<DeviceNumber>> deps,
            TreeSymbols symbols) {
        Map<DeviceNumber, String> names = new LinkedHashMap<>();
        devices.forEach(d -> names.put(d.device(), d.name()));
        Set<DeviceNumber> used = new HashSet<>();
        deps.values().forEach(used::addAll);
        List<DeviceNumber> roots = new ArrayList<>();
        for (DeviceListEntry d : devices) {
            if (!used.contains(d.device())) {
                roots.add(d.device());
            }
        }
        StringBuilder sb = new StringBuilder();
        walk(sb, roots, 0, new ArrayList<>(), names, deps, symbols);
        return sb.toString();
    }

    /** {@code more.get(d)}: whether more siblings follow at depth d, which decides the verticals. */
    private static void walk(StringBuilder sb, List<DeviceNumber> nodes, int depth, List<Boolean> more,
            Map<DeviceNumber, String> names, Map<DeviceNumber, List<DeviceNumber>> deps, TreeSymbols symbols) {
        for (int i = 0; i < nodes.size(); i++) {
            DeviceNumber node = nodes.get(i);
            if (more.size() <= depth) {
                more.add(false);
            }
            more.set(depth, i < nodes.size() - 1);
            for (int d = 0; d < depth; d++) {
                sb.append(' ');
                if (d == depth - 1) {
                    sb.append(more.get(depth) ? symbols.branch : symbols.last);
                } else {
                    sb.append(more.get(d + 1) ? symbols.vertical : "  ");
                }
            }
            sb.append(names.getOrDefault(node, "")).append(" (").append(node.major()).append(':')
                    .append(node.minor()).append(")\n");
            List<DeviceNumber> children = names.containsKey(node) ? deps.getOrDefault(node, List.of()) : List.of();
            if (!children.isEmpty()) {
                walk(sb, children, depth + 1, more, names, deps, symbols);
            }
        }
    }
}
