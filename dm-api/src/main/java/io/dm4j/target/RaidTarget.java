package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    public enum Option implements OptionKey {
        /** {@code sync}: resynchronise all legs. */
        SYNC(Value.NONE),
        /** {@code nosync}: take the legs as in sync. */
        NOSYNC(Value.NONE),
        /** {@code rebuild <index>}: rebuild that leg; may repeat. */
        REBUILD(Value.NUMBER),
        /** {@code daemon_sleep <ms>}. */
        DAEMON_SLEEP(Value.NUMBER),
        /** {@code min_recovery_rate <KiB/s>}. */
        MIN_RECOVERY_RATE(Value.NUMBER),
        /** {@code max_recovery_rate <KiB/s>}. */
        MAX_RECOVERY_RATE(Value.NUMBER),
        /** {@code write_mostly <index>}: read from that leg only if needed; may repeat. */
        WRITE_MOSTLY(Value.NUMBER),
        /** {@code max_write_behind <sectors>}. */
        MAX_WRITE_BEHIND(Value.NUMBER),
        /** {@code stripe_cache <sectors>}. */
        STRIPE_CACHE(Value.NUMBER),
        /** {@code region_size <sectors>}: bitmap granularity. */
        REGION_SIZE(Value.NUMBER),
        /** {@code raid10_copies <n>}. */
        RAID10_COPIES(Value.NUMBER),
        /** {@code raid10_format <near|far|offset>}. */
        RAID10_FORMAT(Value.WORD),
        /** {@code delta_disks <n>}: legs added (positive) or removed (negative) by a reshape. */
        DELTA_DISKS(Value.SIGNED),
        /** {@code data_offset <sectors>}. */
        DATA_OFFSET(Value.NUMBER),
        /** {@code journal_dev <dev>}: a raid4/5/6 journal. */
        JOURNAL_DEV(Value.DEVICE),
        /** {@code journal_mode <writethrough|writeback>}. */
        JOURNAL_MODE(Value.WORD);

        private final Value value;

        Option(Value value) {
            this.value = value;
        }

        @Override
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public Value value() {
            return value;
        }

        @Override
        public boolean repeatable() {
            return this == REBUILD || this == WRITE_MOSTLY;
        }
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
        options = Options.canonical(TYPE, Option.class, options);
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
        List<TargetOption> options = Options.parse(args, params - 1, Option.class, false);
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
