package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.TargetVersion;
import io.dm4j.target.CryptTarget;
import io.dm4j.target.KeyDisclosure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that only read: they print what dmsetup prints for the same question. */
final class QueryCommands {
    private QueryCommands() {}

    /** A command about one device, or, with no name, about every device in turn. */
    abstract static class PerDevice extends DeviceCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The device (all devices if omitted).")
        String name;

        @Override
        final AutoCloseable beforeKernel() {
            if (name != null) {
                DeviceMapper.checkName(name);
            }
            return null;
        }

        /** Asks the kernel once per device: only for the form that is printed. */
        @Override
        final int run(DeviceMapper dm) throws IOException {
            if (name != null) {
                print(common.json ? "" : text(dm, name, false), common.json ? json(dm, name) : Map.of());
                return 0;
            }
            List<DeviceListEntry> all = dm.list();
            StringBuilder text = new StringBuilder(all.isEmpty() ? DmsetupText.NO_DEVICES : "");
            List<Object> docs = new ArrayList<>();
            for (DeviceListEntry e : all) {
                if (common.json) {
                    docs.add(json(dm, e.name()));
                } else {
                    text.append(text(dm, e.name(), true));
                }
            }
            print(text.toString(), Map.of("devices", docs));
            return 0;
        }

        /** The text for one device; {@code many} when it is one of several (dmsetup then names it). */
        abstract String text(DeviceMapper dm, String device, boolean many) throws IOException;

        abstract Map<String, Object> json(DeviceMapper dm, String device) throws IOException;
    }

    @Command(name = "info", description = "Show a device's state, like 'dmsetup info'.")
    static final class Info extends PerDevice {
        @Override
        String text(DeviceMapper dm, String device, boolean many) throws IOException {
            DeviceInfo info = dm.info(device);
            return DmsetupText.info(info, readAhead(info));
        }

        @Override
        Map<String, Object> json(DeviceMapper dm, String device) throws IOException {
            DeviceInfo info = dm.info(device);
            return JsonViews.info(info, readAhead(info));
        }

        private static OptionalInt readAhead(DeviceInfo info) {
            return Sysfs.readAheadSectors(info.device());
        }
    }

    /** One target's line of table or status output. */
    record Line(long start, long length, String type, String text) {}

    /** table and status: per-target lines with the same layout. */
    abstract static class Targets extends PerDevice {
        @Option(names = "--inactive", description = "Use the inactive table instead of the live one.")
        boolean inactive;

        TableSlot slot() {
            return inactive ? TableSlot.INACTIVE : TableSlot.LIVE;
        }

        abstract List<Line> lines(DeviceMapper dm, String device) throws IOException;

        abstract String field();

        @Override
        final String text(DeviceMapper dm, String device, boolean many) throws IOException {
            String prefix = many ? device + ": " : "";
            List<Line> lines = lines(dm, device);
            if (lines.isEmpty()) {
                return prefix + "\n";
            }
            StringBuilder sb = new StringBuilder();
            for (Line l : lines) {
                sb.append(prefix).append(DmsetupText.targetLine(l.start, l.length, l.type, l.text));
            }
            return sb.toString();
        }

        @Override
        final Map<String, Object> json(DeviceMapper dm, String device) throws IOException {
            List<Object> targets = new ArrayList<>();
            for (Line l : lines(dm, device)) {
                targets.add(JsonViews.target(l.start, l.length, l.type, l.text, field()));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", device);
            m.put("slot", slot().name().toLowerCase(java.util.Locale.ROOT));
            m.put("targets", targets);
            return m;
        }
    }

    @Command(name = "table", description = "Show a device's table, like 'dmsetup table'; keys hidden unless --showkeys.")
    static final class Table extends Targets {
        @Option(names = "--showkeys", description = "Show crypt keys instead of zeros (integrity keys stay hidden).")
        boolean showKeys;

        @Override
        List<Line> lines(DeviceMapper dm, String device) throws IOException {
            // The library hides keys as dmsetup does; only --showkeys reads them, as bytes.
            List<TargetLine> table = dm.table(device, slot());
            List<Line> out = new ArrayList<>();
            if (!showKeys || table.stream().noneMatch(t -> t.type().equals("crypt"))) {
                table.forEach(t -> out.add(new Line(t.start(), t.length(), t.type(), t.params())));
                return out;
            }
            try (io.dm4j.target.Table typed = dm.typedTable(device, slot(), KeyDisclosure.REVEALED)) {
                for (int i = 0; i < table.size(); i++) {
                    TargetLine t = table.get(i);
                    String params = typed.entries().get(i).target() instanceof CryptTarget c
                            ? new String(c.paramsWithKey(), StandardCharsets.US_ASCII) : t.params();
                    out.add(new Line(t.start(), t.length(), t.type(), params));
                }
            }
            return out;
        }

        @Override
        String field() {
            return "params";
        }
    }

    @Command(name = "status", description = "Show each target's status, like 'dmsetup status'.")
    static final class Status extends Targets {
        @Override
        List<Line> lines(DeviceMapper dm, String device) throws IOException {
            List<Line> out = new ArrayList<>();
            for (TargetStatus t : dm.status(device, slot(), false)) {
                out.add(new Line(t.start(), t.length(), t.type(), t.status()));
            }
            return out;
        }

        @Override
        String field() {
            return "status";
        }
    }

    @Command(name = "deps", description = "Show the devices a device's table uses, like 'dmsetup deps'.")
    static final class Deps extends PerDevice {
        @Option(names = "--inactive", description = "Use the inactive table instead of the live one.")
        boolean inactive;

        private List<DeviceNumber> deps(DeviceMapper dm, String device) throws IOException {
            return dm.deps(device, inactive ? TableSlot.INACTIVE : TableSlot.LIVE);
        }

        @Override
        String text(DeviceMapper dm, String device, boolean many) throws IOException {
            return (many ? device + ": " : "") + DmsetupText.deps(deps(dm, device));
        }

        @Override
        Map<String, Object> json(DeviceMapper dm, String device) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", device);
            m.put("dependencies", deps(dm, device).stream().map(JsonViews::device).toList());
            return m;
        }
    }

    @Command(name = "ls", description = "List devices, like 'dmsetup ls'.")
    static final class Ls extends DeviceCommand {
        @Option(names = "--tree", description = "Show how devices stack on each other.")
        boolean tree;

        @Option(names = "--target", paramLabel = "TYPE", description = "Only devices with a target of this type.")
        String target;

        @Override
        int run(DeviceMapper dm) throws IOException {
            List<DeviceListEntry> all = dm.list();
            if (target != null) {
                return byTarget(dm, all);
            }
            if (all.isEmpty()) {
                print(DmsetupText.NO_DEVICES, Map.of("devices", List.of()));
                return 0;
            }
            Map<DeviceNumber, List<DeviceNumber>> deps = new LinkedHashMap<>();
            if (tree) {
                for (DeviceListEntry e : all) {
                    deps.put(e.device(), dm.deps(e.name(), TableSlot.LIVE));
                }
            }
            StringBuilder text = new StringBuilder();
            List<Object> docs = new ArrayList<>();
            for (DeviceListEntry e : all) {
                if (!tree) {
                    text.append(DmsetupText.name(e));
                }
                Map<String, Object> doc = JsonViews.entry(e);
                if (tree) {
                    doc.put("dependencies", deps.get(e.device()).stream().map(JsonViews::device).toList());
                }
                docs.add(doc);
            }
            String out = tree ? DmsetupText.tree(all, deps, DmsetupText.TreeSymbols.forLocale()) : text.toString();
            print(out, Map.of("devices", docs));
            return 0;
        }

        private int byTarget(DeviceMapper dm, List<DeviceListEntry> all) throws IOException {
            StringBuilder text = new StringBuilder(all.isEmpty() ? DmsetupText.NO_DEVICES : "");
            List<Object> docs = new ArrayList<>();
            for (DeviceListEntry e : all) {
                if (dm.table(e.name()).stream().anyMatch(t -> t.type().equals(target))) {
                    text.append(DmsetupText.nameForTarget(e.name(), e.device()));
                    docs.add(JsonViews.entry(e));
                }
            }
            print(text.toString(), Map.of("devices", docs));
            return 0;
        }
    }

    @Command(name = "targets", description = "List the target types the kernel has loaded, like 'dmsetup targets'.")
    static final class TargetTypes extends DeviceCommand {
        @Override
        int run(DeviceMapper dm) throws IOException {
            StringBuilder text = new StringBuilder();
            List<Object> docs = new ArrayList<>();
            for (TargetVersion t : dm.targetVersions()) {
                text.append(DmsetupText.target(t));
                docs.add(Map.of("name", t.name(), "version", t.version().toString()));
            }
            print(text.toString(), Map.of("targets", docs));
            return 0;
        }
    }
}
