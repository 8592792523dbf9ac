package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that only read: they print what dmsetup prints for the same question. */
final class QueryCommands {
    private QueryCommands() {}

    /** A command about the devices named, or, with none, about every device in turn. */
    abstract static class PerDevice extends DeviceCommand {
        @Mixin
        DeviceArg device;

        @Parameters(arity = "0..*", paramLabel = "DEVICE",
                description = "The devices: NAME, /dev/mapper/NAME, /dev/dm-N (all devices if none is given).")
        List<String> args = new ArrayList<>();

        private List<DeviceArg.Selector> selected;

        /** Named devices win over -u and -j/-m, as with dmsetup. */
        @Override
        final AutoCloseable beforeKernel() throws IOException {
            check();
            selected = new ArrayList<>();
            if (args.isEmpty() && device.byOption()) {
                selected.add(device.select(args));
            }
            for (String a : args) {
                selected.add(DeviceArg.parse(a));
            }
            return null;
        }

        /** The command's own checks before the kernel. */
        void check() {}

        /**
         * Asks the kernel once per device, only for the form that is printed; text goes out device
         * by device, so a failure on one (a missing device) comes after the ones before it, as with
         * dmsetup.
         */
        @Override
        final int run(DeviceMapper dm) throws IOException {
            boolean all = selected.isEmpty();
            List<DeviceArg.Selector> devices = new ArrayList<>(selected);
            if (all) {
                dm.list().forEach(e -> devices.add(new DeviceArg.ByName(e.name())));
            }
            return report(dm, devices, all);
        }

        /** Prints the devices' report; {@code all} when no device was named. */
        int report(DeviceMapper dm, List<DeviceArg.Selector> devices, boolean all) throws IOException {
            boolean many = all || devices.size() > 1;
            if (all && devices.isEmpty() && !common.json) {
                print(DmsetupText.NO_DEVICES, Map.of());
                return 0;
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            for (DeviceArg.Selector s : devices) {
                dmctl().device = s;
                String n = s.resolve(dm);
                if (common.json) {
                    docs.add(json(dm, n));
                } else {
                    out().print(text(dm, n, many));
                    out().flush();
                }
            }
            if (common.json) {
                out().println(Json.object(!all && docs.size() == 1 ? docs.get(0) : Map.of("devices", docs)));
                out().flush();
            }
            return 0;
        }

        /** The text for one device; {@code many} when it is one of all (dmsetup then names it). */
        abstract String text(DeviceMapper dm, String device, boolean many) throws IOException;

        abstract Map<String, Object> json(DeviceMapper dm, String device) throws IOException;
    }

    @Command(name = "info", description = "Show devices' state, like 'dmsetup info'; -c for dmsetup's columns report.")
    static final class Info extends PerDevice {
        @Option(names = {"-c", "-C", "--columns"}, description = "The report in columns (dmsetup info -c).")
        boolean columns;

        @Mixin
        ReportOptions reportOptions;

        private InfoColumns.Options report() {
            return reportOptions.options(InfoColumns.DEFAULT);
        }

        @Override
        void check() {
            if (columns) {
                InfoColumns.render(List.of(), report()); // unknown fields and sort keys fail here, before the kernel
            }
        }

        @Override
        int report(DeviceMapper dm, List<DeviceArg.Selector> devices, boolean all) throws IOException {
            if (!columns || (all && devices.isEmpty())) {
                return super.report(dm, devices, all);
            }
            List<InfoColumns.Field> chosen = InfoColumns.fields(reportOptions.fields);
            boolean deps = InfoColumns.needsDeps(chosen);
            boolean readAhead = chosen.stream().anyMatch(f -> f.id().equals("read_ahead"));
            Map<DeviceNumber, String> dmNames = new LinkedHashMap<>();
            if (deps) {
                dm.list().forEach(e -> dmNames.put(e.device(), e.name()));
            }
            List<InfoColumns.Row> rowsSeen = new ArrayList<>();
            try {
                for (DeviceArg.Selector s : devices) {
                    dmctl().device = s;
                    DeviceInfo info = dm.info(s.resolve(dm));
                    rowsSeen.add(new InfoColumns.Row(info, readAhead ? readAhead(info) : OptionalInt.empty(),
                            deps && info.hasLiveTable() ? dm.deps(info.name(), TableSlot.LIVE) : List.of(), dmNames));
                }
            } finally {
                // dmsetup prints the report it has even when a device fails, before the error
                if (!rowsSeen.isEmpty()) {
                    printReport(rowsSeen, chosen);
                }
            }
            return 0;
        }

        private void printReport(List<InfoColumns.Row> rowsSeen, List<InfoColumns.Field> chosen) {
            if (!common.json) {
                out().print(InfoColumns.render(rowsSeen, report()));
                out().flush();
                return;
            }
            List<Object> docs = new ArrayList<>();
            for (InfoColumns.Row r : rowsSeen) {
                Map<String, Object> doc = new LinkedHashMap<>();
                chosen.forEach(f -> doc.put(f.id(), f.value().apply(r)));
                docs.add(doc);
            }
            print("", Map.of("devices", docs));
        }

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

        /**
         * The read-ahead in sectors, from sysfs. Where sysfs has none (a device that never had a
         * table), dmsetup tries the device's node, and says so on stderr when that is missing too;
         * its personality does the same.
         */
        private OptionalInt readAhead(DeviceInfo info) {
            OptionalInt sectors = Sysfs.readAheadSectors(info.device());
            if (sectors.isEmpty() && dmctl().personality == Dmctl.Personality.DMSETUP
                    && !java.nio.file.Files.exists(java.nio.file.Path.of("/dev/mapper", info.name()))) {
                err().println("/dev/mapper/" + info.name() + ": open failed: No such file or directory");
                err().flush();
            }
            return sectors;
        }
    }

    /** One target's line of table or status output. */
    record Line(long start, long length, String type, String text) {}

    /** table and status: per-target lines with the same layout. */
    abstract static class Targets extends PerDevice {
        @Option(names = "--inactive", description = "Use the inactive table instead of the live one.")
        boolean inactive;

        @Option(names = "--target", paramLabel = "TYPE", description = "Only the targets of this type.")
        String target;

        TableSlot slot() {
            return inactive ? TableSlot.INACTIVE : TableSlot.LIVE;
        }

        /** The device's targets, only those of {@code --target TYPE} if given. */
        private List<Line> lines(DeviceMapper dm, String device) throws IOException {
            List<Line> all = targets(dm, device);
            return target == null ? all : all.stream().filter(l -> l.type().equals(target)).toList();
        }

        abstract List<Line> targets(DeviceMapper dm, String device) throws IOException;

        abstract String field();

        @Override
        final String text(DeviceMapper dm, String device, boolean many) throws IOException {
            String prefix = many ? device + ": " : "";
            List<Line> lines = lines(dm, device);
            if (lines.isEmpty()) {
                // an empty table is an empty line; a filter that matches nothing, nothing
                return target == null ? prefix + "\n" : "";
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
        List<Line> targets(DeviceMapper dm, String device) throws IOException {
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
    static class Status extends Targets {
        @Option(names = "--noflush", description = "Do not flush before reporting (thin pools: no metadata commit).")
        boolean noFlush;

        /** What the kernel reports for each target. */
        List<TargetStatus> read(DeviceMapper dm, String device) throws IOException {
            return dm.status(device, slot(), noFlush);
        }

        @Override
        final List<Line> targets(DeviceMapper dm, String device) throws IOException {
            return read(dm, device).stream().map(t -> new Line(t.start(), t.length(), t.type(), t.status())).toList();
        }

        @Override
        String field() {
            return "status";
        }
    }

    @Command(name = "measure", description = "Show what each target measures for IMA (kernel 5.15+), like 'dmsetup measure'.")
    static final class Measure extends Status {
        @Override
        List<TargetStatus> read(DeviceMapper dm, String device) throws IOException {
            return dm.imaMeasurements(device, slot(), noFlush);
        }

        @Override
        String field() {
            return "measurement";
        }
    }

    @Command(name = "deps", description = "Show the devices a device's table uses, like 'dmsetup deps'.")
    static final class Deps extends PerDevice {
        @Option(names = "--inactive", description = "Use the inactive table instead of the live one.")
        boolean inactive;

        @Option(names = {"-o", "--options"}, paramLabel = "OPTIONS",
                description = "How to show each dependency: devno (the default), blkdevname or devname.")
        String options;

        private List<DeviceNumber> deps(DeviceMapper dm, String device) throws IOException {
            return dm.deps(device, inactive ? TableSlot.INACTIVE : TableSlot.LIVE);
        }

        @Override
        void check() {
            shown(null);
        }

        /** A dependency as {@code -o} shows it (null: only checks the option); unresolvable ones by number. */
        private java.util.Optional<String> shown(DeviceNumber d) {
            String how = "devno";
            for (String o : options == null ? new String[0] : options.split(",")) {
                if (!List.of("devno", "blkdevname", "devname").contains(o)) {
                    throw new CompatException("-o", "takes devno, blkdevname or devname, not '" + o + "'",
                            "Option not recognised: " + o + ".", CompatException.Trailer.COMMAND_LINE);
                }
                how = o;
            }
            if (d == null || how.equals("devno")) {
                return java.util.Optional.empty();
            }
            return how.equals("devname") ? Sysfs.dmName(d).or(() -> Sysfs.blockName(d)) : Sysfs.blockName(d);
        }

        @Override
        String text(DeviceMapper dm, String device, boolean many) throws IOException {
            List<DeviceNumber> deps = deps(dm, device);
            List<java.util.Optional<String>> names = new ArrayList<>();
            for (DeviceNumber d : deps) {
                names.add(shown(d));
            }
            return (many ? device + ": " : "") + DmsetupText.deps(deps, names);
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

        @Option(names = {"-o", "--options"}, paramLabel = "OPTIONS",
                description = "How to show each device: devno (the default), blkdevname or devname; with --tree: ascii or utf.")
        String options;

        /** What {@code -o} asks for; the last of several wins, as with dmsetup. */
        private String shown = "devno";

        @Override
        AutoCloseable beforeKernel() {
            shown = "devno";
            if (options == null) {
                return null;
            }
            for (String o : options.split(",")) {
                List<String> known = tree ? List.of("ascii", "utf") : List.of("devno", "blkdevname", "devname");
                if (!known.contains(o)) {
                    throw new CompatException("-o", "takes " + String.join(", ", known) + (tree ? " with --tree" : "")
                            + ", not '" + o + "'", (tree ? "Tree options not recognised: " : "Option not recognised: ")
                            + o + ".", CompatException.Trailer.COMMAND_LINE);
                }
                shown = o;
            }
            return null;
        }

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
                    text.append(DmsetupText.name(e.name(), shown(e)));
                }
                Map<String, Object> doc = JsonViews.entry(e);
                if (tree) {
                    doc.put("dependencies", deps.get(e.device()).stream().map(JsonViews::device).toList());
                }
                docs.add(doc);
            }
            DmsetupText.TreeSymbols symbols = shown.equals("ascii") ? DmsetupText.TreeSymbols.ASCII
                    : shown.equals("utf") ? DmsetupText.TreeSymbols.UTF : DmsetupText.TreeSymbols.forLocale();
            String out = tree ? DmsetupText.tree(all, deps, symbols) : text.toString();
            print(out, Map.of("devices", docs));
            return 0;
        }

        /** The device as {@code -o} shows it; a device with no block device yet shows its number. */
        private String shown(DeviceListEntry e) {
            DeviceNumber d = e.device();
            return switch (shown) {
                case "blkdevname" -> Sysfs.blockName(d).orElse(d.toString());
                case "devname" -> Sysfs.blockName(d).isPresent() ? e.name() : d.toString();
                default -> d.toString();
            };
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

    @Command(name = "splitname", description = "Split a device name into an LVM VG, LV and layer, like 'dmsetup splitname'.")
    static final class SplitName extends UdevCommands.Local {
        @Parameters(index = "0", paramLabel = "NAME", description = "The name to split.")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SUBSYSTEM", description = "Whose naming rules (default LVM; others split nothing).")
        String subsystem = "LVM";

        @Option(names = {"-c", "-C", "--columns"}, description = "Accepted: splitname always reports in columns.")
        boolean columns;

        @Mixin
        ReportOptions reportOptions;

        /** The name components, the only fields a name alone can give. */
        static final List<String> FIELDS = List.of("subsystem", "vg_name", "lv_name", "lv_layer");

        @Override
        public Integer call() {
            InfoColumns.Options o = reportOptions.options("vg_name,lv_name,lv_layer");
            for (InfoColumns.Field f : InfoColumns.fields(o.fields(), o.defaults())) {
                if (!FIELDS.contains(f.id())) {
                    throw new InvalidArgumentException("-o", "of splitname takes " + String.join(", ", FIELDS)
                            + ", not '" + f.id() + "'");
                }
            }
            // the subsystem is the uuid's prefix for a device; here it is given
            DeviceInfo named = new DeviceInfo(name, java.util.Optional.of(subsystem + "-"), new DeviceNumber(0, 0), 0, 0, 0,
                    java.util.Set.of());
            out(InfoColumns.render(List.of(new InfoColumns.Row(named, OptionalInt.empty(), List.of(), Map.of())), o));
            return 0;
        }
    }

    @Command(name = "target-version", customSynopsis = "dmctl target-version TYPE...",
            description = "Print the version of each target type, like 'dmsetup target-version'.")
    static final class TargetVersionOf extends DeviceCommand {
        @Parameters(arity = "1..*", paramLabel = "TYPE", description = "Target types, e.g. thin-pool.")
        List<String> types;

        @Override
        int run(DeviceMapper dm) throws IOException {
            StringBuilder text = new StringBuilder();
            List<Object> docs = new ArrayList<>();
            for (String type : types) {
                dmctl().device = new DeviceArg.ByName(type);
                TargetVersion t = dm.targetVersion(type);
                text.append(DmsetupText.target(t));
                docs.add(Map.of("name", t.name(), "version", t.version().toString()));
            }
            print(text.toString(), Map.of("targets", docs));
            return 0;
        }
    }
}
