package io.dm4j.status;

import java.util.List;
import java.util.Objects;

/**
 * The status of a {@code mirror} target (the old dm-raid1 mirror), printed by
 * {@code mirror_status()} in {@code dm-raid1.c} and the dirty log's status in {@code dm-log.c}.
 *
 * @param devices the legs, as {@code major:minor}, in table order
 * @param syncedRegions regions in sync
 * @param totalRegions regions of the mirror
 * @param health each leg's health, in table order
 * @param logType the dirty log's type: {@code core}, {@code disk}, {@code userspace}...
 * @param logArguments what the log reports after its type: for {@code disk}, its device and its
 *     health letter ({@code A}, {@code D} or {@code F})
 */
public record MirrorStatus(List<String> devices, long syncedRegions, long totalRegions, List<Health> health,
        String logType, List<String> logArguments) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "mirror";

    /** Checks the fields for consistency. */
    public MirrorStatus {
        devices = Checks.list("devices", devices);
        health = Checks.perDevice("health", health, devices.size());
        Objects.requireNonNull(logType, "logType");
        logArguments = Checks.list("logArguments", logArguments);
        Checks.usage("synced regions", syncedRegions, totalRegions);
    }

    /**
     * Parses the status text of a mirror target.
     *
     * @throws StatusParseException if the text does not have the mirror form
     */
    public static MirrorStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        List<String> devices = t.counted("legs");
        long[] sync = t.ratio("synced/total regions");
        List<String> healthWords = t.counted("health");
        if (healthWords.size() != 1) {
            throw t.error("health", "expected one word of leg letters, got " + healthWords.size());
        }
        List<Health> health = t.letters("health", healthWords.get(0), Words.MIRROR_HEALTH);
        List<String> log = t.counted("log status");
        if (log.isEmpty()) {
            throw t.error("log status", "has no log type");
        }
        return t.build(() -> new MirrorStatus(devices, sync[0], sync[1], health, log.get(0), log.subList(1, log.size())));
    }

    /** True when every region is in sync and every leg is alive. */
    public boolean inSync() {
        return syncedRegions == totalRegions && health.stream().allMatch(h -> h == Health.ALIVE);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The most severe error a leg has seen. */
    public enum Health {
        /** {@code A}: alive, no failures. */
        ALIVE,
        /** {@code F}: a flush failed. */
        FLUSH_FAILED,
        /** {@code D}: a write failed; the leg is out of sync. */
        WRITE_FAILED,
        /** {@code S}: synchronisation failed; the leg is out of sync. */
        SYNC_FAILED,
        /** {@code R}: a read failed; the data is unaffected. */
        READ_FAILED,
        /** {@code U}: an error of no known kind. */
        UNKNOWN
    }
}
