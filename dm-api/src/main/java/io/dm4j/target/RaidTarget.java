package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code raid}: MD RAID personalities (raid1, raid4/5/6, raid10, raid0) as a device-mapper target.
 *
 * <p>The kernel reports some options back differently: {@code max_write_behind} comes back halved
 * on 6.1, and a raid1 chunk size is always 0.
 *
 * @param raidType the RAID level and layout, e.g. {@code raid1} or {@code raid5_ls}
 * @param chunkSize the chunk size; must be 0 for raid1
 * @param options optional parameters, keywords from {@link Option}
 * @param devices the legs, each a metadata and a data device, either of which may be absent
 *     ({@code -})
 */
public record RaidTarget(String raidType, Sectors chunkSize, List<TargetOption> options, List<Leg> devices)
        implements Target {
    static final String TYPE = "raid";

    private static final Set<String> RAID_TYPES = Set.of("raid0", "raid1", "raid10", "raid10_far", "raid10_offset",
            "raid10_near", "raid4", "raid5_n", "raid5_ls", "raid5_rs", "raid5_la", "raid5_ra", "raid6_zr", "raid6_nr",
            "raid6_nc", "raid6_n_6", "raid6_ls_6", "raid6_rs_6", "raid6_la_6", "raid6_ra_6");

    /**
     * One leg of the array.
     *
     * @param metadata the device for its superblock and bitmap, if any
     * @param data its data device; empty for a missing leg
     */
    public record Leg(Optional<DeviceNumber> metadata, Optional<DeviceNumber> data) {
        /** Checks that both are given (possibly empty). */
        public Leg {
            Objects.requireNonNull(metadata, "metadata");
            Objects.requireNonNull(data, "data");
        }

        /** A leg without a metadata device. */
        public static Leg of(DeviceNumber data) {
            return new Leg(Optional.empty(), Optional.of(data));
        }

        @Override
        public String toString() {
            return metadata.map(DeviceNumber::toString).orElse("-") + " " + data.map(DeviceNumber::toString).orElse("-");
        }
    }

    /** Raid's optional parameters, in the kernel's order. */
    public static final class Option {
        private Option() {}

        /** {@code sync}: resynchronise all legs. */
        public static final OptionKey SYNC = OptionKey.of("sync", OptionKey.Value.NONE);
        /** {@code nosync}: take the legs as in sync. */
        public static final OptionKey NOSYNC = OptionKey.of("nosync", OptionKey.Value.NONE);
        /** {@code rebuild <index>}: rebuild that leg; may repeat. */
        public static final OptionKey REBUILD = new OptionKey("rebuild", OptionKey.Value.NUMBER, true);
        /** {@code daemon_sleep <ms>}. */
        public static final OptionKey DAEMON_SLEEP = OptionKey.of("daemon_sleep", OptionKey.Value.NUMBER);
        /** {@code min_recovery_rate <KiB/s>}. */
        public static final OptionKey MIN_RECOVERY_RATE = OptionKey.of("min_recovery_rate", OptionKey.Value.NUMBER);
        /** {@code max_recovery_rate <KiB/s>}. */
        public static final OptionKey MAX_RECOVERY_RATE = OptionKey.of("max_recovery_rate", OptionKey.Value.NUMBER);
        /** {@code write_mostly <index>}: read from that leg only if needed; may repeat. */
        public static final OptionKey WRITE_MOSTLY = new OptionKey("write_mostly", OptionKey.Value.NUMBER, true);
        /** {@code max_write_behind <sectors>}. */
        public static final OptionKey MAX_WRITE_BEHIND = OptionKey.of("max_write_behind", OptionKey.Value.NUMBER);
        /** {@code stripe_cache <sectors>}. */
        public static final OptionKey STRIPE_CACHE = OptionKey.of("stripe_cache", OptionKey.Value.NUMBER);
        /** {@code region_size <sectors>}: bitmap granularity. */
        public static final OptionKey REGION_SIZE = OptionKey.of("region_size", OptionKey.Value.NUMBER);
        /** {@code raid10_copies <n>}. */
        public static final OptionKey RAID10_COPIES = OptionKey.of("raid10_copies", OptionKey.Value.NUMBER);
        /** {@code raid10_format <near|far|offset>}. */
        public static final OptionKey RAID10_FORMAT = OptionKey.of("raid10_format", OptionKey.Value.WORD);
        /** {@code delta_disks <n>}: legs added (positive) or removed (negative) by a reshape. */
        public static final OptionKey DELTA_DISKS = OptionKey.of("delta_disks", OptionKey.Value.SIGNED);
        /** {@code data_offset <sectors>}. */
        public static final OptionKey DATA_OFFSET = OptionKey.of("data_offset", OptionKey.Value.NUMBER);
        /** {@code journal_dev <dev>}: a raid4/5/6 journal. */
        public static final OptionKey JOURNAL_DEV = OptionKey.of("journal_dev", OptionKey.Value.DEVICE);
        /** {@code journal_mode <writethrough|writeback>}. */
        public static final OptionKey JOURNAL_MODE = OptionKey.of("journal_mode", OptionKey.Value.WORD);

        /** All of them, in the kernel's order. */
        static final List<OptionKey> ALL = List.of(SYNC, NOSYNC, REBUILD, DAEMON_SLEEP, MIN_RECOVERY_RATE,
                MAX_RECOVERY_RATE, WRITE_MOSTLY, MAX_WRITE_BEHIND, STRIPE_CACHE, REGION_SIZE, RAID10_COPIES,
                RAID10_FORMAT, DELTA_DISKS, DATA_OFFSET, JOURNAL_DEV, JOURNAL_MODE);
    }

    /** Checks the fields and the kernel's rules between them; puts the options in the kernel's order. */
    public RaidTarget {
        Checks.rule(RAID_TYPES.contains(raidType), TYPE, "raid type", "must be one of " + new java.util.TreeSet<>(RAID_TYPES)
                + ", got '" + raidType + "'");
        Objects.requireNonNull(chunkSize, "chunkSize");
        Checks.rule(!raidType.equals("raid1") || chunkSize.count() == 0, TYPE, "chunk size",
                "must be 0 for raid1 (the kernel ignores it and reports 0)");
        Checks.rule(raidType.equals("raid1") || chunkSize.isPowerOfTwo(), TYPE, "chunk size",
                "must be a power of two, got " + chunkSize.count());
        options = Options.canonical(TYPE, Option.ALL, options);
        devices = Checks.list(TYPE, "devices", devices, 1);
        Checks.rule(devices.size() <= 253, TYPE, "devices", "must be at most 253, got " + devices.size());
        for (TargetOption o : options) {
            if (o.key() == Option.REBUILD || o.key() == Option.WRITE_MOSTLY) {
                Checks.range(TYPE, o.key().keyword(), o.number(), 0, devices.size() - 1);
            }
        }
        Checks.rule(!(Options.has(options, Option.SYNC) && Options.has(options, Option.NOSYNC)), TYPE, "options",
                "must not have both sync and nosync");
    }

    /** A raid1 array without metadata devices or options. */
    public static RaidTarget raid1(DeviceNumber... legs) {
        List<Leg> l = new ArrayList<>();
        for (DeviceNumber d : legs) {
            l.add(Leg.of(d));
        }
        return new RaidTarget("raid1", Sectors.ZERO, List.of(), l);
    }

    static RaidTarget parse(Args args) {
        String raidType = args.word("raid type");
        int params = args.count("parameter count", 1 + 2 * 64);
        if (params < 1) {
            throw args.error("parameter count", "must count the chunk size at least");
        }
        Sectors chunk = args.sectors("chunk size");
        List<TargetOption> options = Options.parse(args, params - 1, Option.ALL, false);
        int n = args.count("device count", 253);
        List<Leg> legs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            legs.add(new Leg(optionalDevice(args, "metadata device"), optionalDevice(args, "data device")));
        }
        return new RaidTarget(raidType, chunk, options, legs);
    }

    private static Optional<DeviceNumber> optionalDevice(Args args, String what) {
        if ("-".equals(args.peek())) {
            args.word(what);
            return Optional.empty();
        }
        return Optional.of(args.device(what));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(raidType).append(' ').append(1 + Options.words(options, false))
                .append(' ').append(chunkSize.count());
        Options.append(s, options, false);
        s.append(' ').append(devices.size());
        for (Leg leg : devices) {
            s.append(' ').append(leg);
        }
        return s.toString();
    }
}
