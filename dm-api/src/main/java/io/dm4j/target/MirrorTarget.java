package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code mirror}: the legacy mirror target (dm-raid1), with a {@code core} (in memory) or
 * {@code disk} dirty-region log. Other log types are available as {@link RawTarget}.
 *
 * @param log the dirty-region log
 * @param legs the mirror legs, at least two
 * @param features optional features
 */
public record MirrorTarget(Log log, List<DeviceOffset> legs, Set<Feature> features) implements Target {
    static final String TYPE = "mirror";

    /** How the log treats a new mirror. */
    public enum Sync {
        /** Default: resynchronise unless the log says the regions are in sync. */
        DEFAULT,
        /** {@code sync}: resynchronise every region. */
        SYNC,
        /** {@code nosync}: take the legs as in sync. */
        NOSYNC
    }

    /**
     * The dirty-region log.
     *
     * @param device the log device for a {@code disk} log; empty for a {@code core} log
     * @param regionSize the region size: a power of two
     * @param sync how a new mirror is synchronised
     */
    public record Log(Optional<DeviceNumber> device, Sectors regionSize, Sync sync) {
        /** Checks the fields. */
        public Log {
            Objects.requireNonNull(device, "device");
            Checks.rule(regionSize.isPowerOfTwo() && regionSize.count() <= 0xffffffffL, TYPE, "region size",
                    "must be a power of two, got " + regionSize.count());
            Objects.requireNonNull(sync, "sync");
        }

        /** An in-memory log. */
        public static Log core(Sectors regionSize) {
            return new Log(Optional.empty(), regionSize, Sync.DEFAULT);
        }

        @Override
        public String toString() {
            int n = (device.isPresent() ? 2 : 1) + (sync == Sync.DEFAULT ? 0 : 1);
            return (device.isPresent() ? "disk " : "core ") + n + " " + device.map(d -> d + " ").orElse("")
                    + regionSize.count() + (sync == Sync.DEFAULT ? "" : " " + Args.keyword(sync));
        }

        static Log parse(Args args) {
            String type = args.word("log type");
            if (!type.equals("core") && !type.equals("disk")) {
                throw args.error("log type", "must be core or disk (others as a RawTarget), got '" + type + "'");
            }
            boolean disk = type.equals("disk");
            int n = args.count("log argument count", 3);
            Checks.rule(n == (disk ? 2 : 1) || n == (disk ? 3 : 2), TYPE, "log argument count",
                    "must be " + (disk ? "2 or 3" : "1 or 2") + " for a " + type + " log, got " + n);
            Optional<DeviceNumber> device = disk ? Optional.of(args.device("log device")) : Optional.empty();
            Sectors region = args.sectors("region size");
            Sync sync = Sync.DEFAULT;
            if (n == (disk ? 3 : 2)) {
                String s = args.word("log sync");
                if (!s.equals("sync") && !s.equals("nosync")) {
                    throw args.error("log sync", "must be sync or nosync, got '" + s + "'");
                }
                sync = s.equals("sync") ? Sync.SYNC : Sync.NOSYNC;
            }
            return new Log(device, region, sync);
        }
    }

    /** Mirror features, in the order the kernel prints them. */
    public enum Feature {
        /** {@code handle_errors}: fail a leg on errors instead of ignoring them. */
        HANDLE_ERRORS,
        /** {@code keep_log}: keep the log device when it fails (needs {@code handle_errors}). */
        KEEP_LOG;
    }

    /** Checks the fields and the kernel's rules between them. */
    public MirrorTarget {
        Objects.requireNonNull(log, "log");
        legs = Checks.list(TYPE, "legs", legs, 2);
        Checks.rule(legs.size() <= 9, TYPE, "legs", "must be at most 9 (DM_KCOPYD_MAX_REGIONS + 1), got " + legs.size());
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        Checks.rule(!features.contains(Feature.KEEP_LOG) || features.contains(Feature.HANDLE_ERRORS), TYPE, "features",
                "keep_log needs handle_errors");
    }

    static MirrorTarget parse(Args args) {
        Log log = Log.parse(args);
        int n = args.count("mirror count", 9);
        List<DeviceOffset> legs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            legs.add(DeviceOffset.parse(args, "leg"));
        }
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        int f = args.hasMore() ? args.count("feature count", 2) : 0;
        if (f > 0 && "handle_errors".equals(args.peek())) {
            args.word("feature");
            features.add(Feature.HANDLE_ERRORS);
            f--;
        }
        if (f > 0) {
            args.expect("feature", "keep_log");
            features.add(Feature.KEEP_LOG);
            f--;
        }
        if (f != 0) {
            throw args.error("features", "do not match their count");
        }
        return new MirrorTarget(log, legs, features);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(log).append(' ').append(legs.size());
        for (DeviceOffset leg : legs) {
            s.append(' ').append(leg);
        }
        if (!features.isEmpty()) {
            s.append(' ').append(features.size());
            for (Feature f : Feature.values()) {
                if (features.contains(f)) {
                    s.append(' ').append(Args.keyword(f));
                }
            }
        }
        return s.toString();
    }
}
