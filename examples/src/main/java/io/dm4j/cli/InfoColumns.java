package io.dm4j.cli;

import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code dmsetup info -c}: the report of libdevmapper's {@code dm_report}, field for field (names,
 * headings, widths, alignment, sorting, {@code --nameprefixes}, {@code --rows}) as dmsetup 1.02
 * prints it.
 */
final class InfoColumns {
    private InfoColumns() {}

    /** What a row is made from: the device, and what some fields need besides. */
    record Row(DeviceInfo info, OptionalInt readAhead, List<DeviceNumber> deps, Map<DeviceNumber, String> dmNames) {}

    /** One field of the report: its {@code -o} name, heading, minimum width and whether it is a number. */
    record Field(String id, String heading, int width, boolean number, Function<Row, String> value) {}

    /** The default fields of {@code info -c}. */
    static final String DEFAULT = "name,major,minor,attr,open,segments,events,uuid";

    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();
    private static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        str("name", "Name", 16, r -> r.info().name());
        str("mangled_name", "MangledName", 16, r -> r.info().name());
        str("unmangled_name", "UnmangledName", 16, r -> r.info().name());
        str("uuid", "UUID", 32, InfoColumns::uuid);
        str("mangled_uuid", "MangledUUID", 32, InfoColumns::uuid);
        str("unmangled_uuid", "UnmangledUUID", 32, InfoColumns::uuid);
        num("read_ahead", "RAhead", 6, r -> String.valueOf(r.readAhead().orElse(0)));
        str("blkdevname", "BlkDevName", 16, r -> Sysfs.blockName(r.info().device()).orElseThrow(
                () -> new IllegalStateException("Could not resolve block device name for " + r.info().device() + ".")));
        str("attr", "Stat", 4, InfoColumns::attr);
        str("tables_loaded", "Tables", 6, r -> r.info().hasLiveTable()
                ? (r.info().hasInactiveTable() ? "Both" : "Live") : r.info().hasInactiveTable() ? "Inactive" : "None");
        str("suspended", "Suspended", 9, r -> r.info().suspended() ? "Suspended" : "Active");
        str("readonly", "Read-only", 9, r -> readOnly(r.info()) ? "Read-only" : "Writeable");
        str("devno", "DevNo", 5, r -> r.info().device().toString());
        num("major", "Maj", 3, r -> String.valueOf(r.info().device().major()));
        num("minor", "Min", 3, r -> String.valueOf(r.info().device().minor()));
        num("open", "Open", 4, r -> String.valueOf(r.info().openCount()));
        num("segments", "Targ", 4, r -> String.valueOf(r.info().targetCount()));
        num("events", "Event", 6, r -> String.valueOf(r.info().eventNr()));
        num("device_count", "#Devs", 5, r -> String.valueOf(r.deps().size()));
        str("devs_used", "DevNamesUsed", 16, r -> r.deps().stream().map(d -> r.dmNames().get(d))
                .filter(java.util.Objects::nonNull).collect(Collectors.joining(",")));
        str("devnos_used", "DevNosUsed", 16, r -> r.deps().stream().map(DeviceNumber::toString)
                .collect(Collectors.joining(",")));
        str("blkdevs_used", "BlkDevNamesUsed", 16, r -> r.deps().stream().map(InfoColumns::blockName)
                .collect(Collectors.joining(",")));
        str("subsystem", "Subsys", 6, r -> split(r)[0]);
        str("vg_name", "VG", 4, r -> split(r)[1]);
        str("lv_name", "LV", 4, r -> split(r)[2]);
        str("lv_layer", "LVLayer", 7, r -> split(r)[3]);
        GROUPS.put("name_all", "name,mangled_name,unmangled_name,uuid,mangled_uuid,unmangled_uuid,read_ahead");
        GROUPS.put("info_all", "blkdevname,attr,tables_loaded,suspended,readonly,devno,major,minor,open,segments,events");
        GROUPS.put("deps_all", "device_count,devs_used,devnos_used,blkdevs_used");
        GROUPS.put("splitname_all", "subsystem,vg_name,lv_name,lv_layer");
    }

    private static void str(String id, String heading, int width, Function<Row, String> value) {
        FIELDS.put(id, new Field(id, heading, width, false, value));
    }

    private static void num(String id, String heading, int width, Function<Row, String> value) {
        FIELDS.put(id, new Field(id, heading, width, true, value));
    }

    private static String uuid(Row r) {
        return r.info().uuid().orElse("");
    }

    private static boolean readOnly(DeviceInfo info) {
        return info.flags().contains(DeviceFlag.READ_ONLY);
    }

    /** {@code attr}: (L)ive, (I)nactive, (s)uspended, (r)ead-only or read-(w)rite. */
    private static String attr(Row r) {
        DeviceInfo i = r.info();
        return (i.hasLiveTable() ? "L" : "-") + (i.hasInactiveTable() ? "I" : "-") + (i.suspended() ? "s" : "-")
                + (readOnly(i) ? "r" : "w");
    }

    private static String blockName(DeviceNumber d) {
        return Sysfs.blockName(d).orElse(d.toString());
    }

    /**
     * {@code subsystem, vg, lv, layer}: the subsystem is the uuid's prefix before its first
     * {@code -}; LVM's names split at single hyphens ({@code --} stands for one in a name).
     */
    static String[] split(Row r) {
        String uuid = uuid(r);
        int dash = uuid.indexOf('-');
        String subsystem = dash < 0 ? "" : uuid.substring(0, dash);
        String[] out = {subsystem, "", "", ""};
        if (!subsystem.equals("LVM")) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        String name = r.info().name();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '-' && i + 1 < name.length() && name.charAt(i + 1) == '-') {
                part.append('-');
                i++;
            } else if (c == '-' && parts.size() < 2) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        for (int i = 0; i < parts.size() && i < 3; i++) {
            out[i + 1] = parts.get(i);
        }
        return out;
    }

    /** The report's options, as dmsetup's switches give them, and the fields shown when {@code -o} names none. */
    record Options(String fields, String sort, boolean noHeadings, String separator, boolean namePrefixes,
            boolean unquoted, boolean rows, String defaults) {}

    /** The fields {@code -o} names, groups expanded; {@code +f} adds to the defaults of {@code info -c}. */
    static List<Field> fields(String spec) {
        return fields(spec, DEFAULT);
    }

    /** The fields {@code -o} names, groups expanded; {@code +f} adds to {@code defaults}. */
    static List<Field> fields(String spec, String defaults) {
        String s = spec == null ? defaults : spec.startsWith("+") ? defaults + "," + spec.substring(1) : spec;
        List<Field> out = new ArrayList<>();
        for (String id : s.split(",")) {
            String key = normalize(id);
            if (key.isEmpty()) {
                continue;
            }
            if (GROUPS.containsKey(key)) {
                for (String g : GROUPS.get(key).split(",")) {
                    out.add(FIELDS.get(g));
                }
            } else if (FIELDS.containsKey(key)) {
                out.add(FIELDS.get(key));
            } else {
                throw new UnknownFieldException(id);
            }
        }
        return out;
    }

    /** libdevmapper ignores case and underscores in field names ({@code Blk_Dev_Name} is {@code blkdevname}). */
    private static String normalize(String id) {
        String plain = id.strip().toLowerCase(Locale.ROOT);
        for (String known : FIELDS.keySet()) {
            if (known.replace("_", "").equals(plain.replace("_", ""))) {
                return known;
            }
        }
        for (String known : GROUPS.keySet()) {
            if (known.replace("_", "").equals(plain.replace("_", ""))) {
                return known;
            }
        }
        return plain;
    }

    /** A field name the report does not have. */
    static final class UnknownFieldException extends CompatException {
        private static final long serialVersionUID = 1L;

        UnknownFieldException(String id) {
            super("-o", "names an unknown field '" + id + "' (fields: " + String.join(", ", FIELDS.keySet())
                    + "; groups: " + String.join(", ", GROUPS.keySet()) + ")", "Unrecognised field: " + id,
                    Trailer.NONE);
        }
    }

    /** Whether any of the fields needs the device's dependencies. */
    static boolean needsDeps(List<Field> fields) {
        return fields.stream().anyMatch(f -> f.id().equals("device_count") || f.id().endsWith("s_used"));
    }

    /** The report as dmsetup prints it. */
    static String render(List<Row> rows, Options o) {
        List<Field> fields = fields(o.fields(), o.defaults());
        List<Row> sorted = sort(rows, o.sort());
        boolean headings = !o.noHeadings();
        String sep = o.noHeadings() ? ":" : " ";
        boolean aligned = !o.noHeadings() && !o.namePrefixes() && o.separator() == null && !o.rows();
        if (o.separator() != null) {
            sep = o.separator();
        }
        List<List<String>> values = new ArrayList<>();
        for (Row r : sorted) {
            values.add(fields.stream().map(f -> f.value().apply(r)).toList());
        }
        StringBuilder sb = new StringBuilder();
        if (o.rows()) {
            for (int f = 0; f < fields.size(); f++) {
                List<String> line = new ArrayList<>();
                if (headings) {
                    line.add(fields.get(f).heading());
                }
                for (List<String> v : values) {
                    line.add(cell(fields.get(f), v.get(f), o));
                }
                sb.append(String.join(sep, line)).append('\n');
            }
            return sb.toString();
        }
        int[] widths = new int[fields.size()];
        for (int f = 0; f < fields.size(); f++) {
            widths[f] = Math.max(fields.get(f).width(), fields.get(f).heading().length());
            for (List<String> v : values) {
                widths[f] = Math.max(widths[f], v.get(f).length());
            }
        }
        if (headings && !fields.isEmpty()) {
            List<String> line = new ArrayList<>();
            for (int f = 0; f < fields.size(); f++) {
                String h = fields.get(f).heading();
                line.add(aligned ? pad(h, widths[f], false) : h);
            }
            sb.append(String.join(sep, line)).append('\n');
        } else if (headings) {
            sb.append('\n');
        }
        for (List<String> v : values) {
            List<String> line = new ArrayList<>();
            for (int f = 0; f < fields.size(); f++) {
                String c = cell(fields.get(f), v.get(f), o);
                line.add(aligned ? pad(c, widths[f], fields.get(f).number()) : c);
            }
            sb.append(String.join(sep, line)).append('\n');
        }
        return sb.toString();
    }

    private static String cell(Field f, String value, Options o) {
        if (!o.namePrefixes()) {
            return value;
        }
        String v = o.unquoted() ? value : "'" + value.replace("'", "'\\''") + "'";
        return "DM_" + f.id().toUpperCase(Locale.ROOT) + "=" + v;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    /** {@code --sort}: fields in order, {@code -} for descending; numbers compare as numbers. */
    private static List<Row> sort(List<Row> rows, String keys) {
        if (keys == null || keys.isBlank()) {
            return rows;
        }
        Comparator<Row> order = null;
        for (String k : keys.split(",")) {
            if (k.isBlank()) {
                continue;
            }
            boolean descending = k.startsWith("-");
            String id = k.startsWith("-") || k.startsWith("+") ? k.substring(1) : k;
            List<Field> f = fields(id);
            if (f.size() != 1) {
                throw new InvalidArgumentException("--sort", "takes fields, not the group '" + id + "'");
            }
            Field field = f.get(0);
            Comparator<Row> c = field.number()
                    ? Comparator.comparingLong(r -> Long.parseLong(field.value().apply(r)))
                    : Comparator.comparing(r -> field.value().apply(r));
            c = descending ? c.reversed() : c;
            order = order == null ? c : order.thenComparing(c);
        }
        List<Row> sorted = new ArrayList<>(rows);
        if (order != null) {
            sorted.sort(order);
        }
        return sorted;
    }
}
