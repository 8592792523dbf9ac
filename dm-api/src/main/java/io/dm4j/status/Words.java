package io.dm4j.status;

import java.util.Map;

/**
 * The words and letters the kernel prints for each enum of the status records, in one place: the
 * parsers read through these tables, and the tests print through them.
 */
final class Words {
    private Words() {}

    static final Map<String, TargetFailure.Kind> FAILURES = Map.of("Fail", TargetFailure.Kind.FAIL,
            "Error", TargetFailure.Kind.ERROR, "-", TargetFailure.Kind.UNAVAILABLE,
            "Invalid", TargetFailure.Kind.INVALID, "Merge failed", TargetFailure.Kind.MERGE_FAILED,
            "Overflow", TargetFailure.Kind.OVERFLOW, "Unknown", TargetFailure.Kind.UNKNOWN_USAGE);

    static final Map<String, ThinPoolStatus.Mode> POOL_MODES = Map.of("rw", ThinPoolStatus.Mode.READ_WRITE,
            "ro", ThinPoolStatus.Mode.READ_ONLY, "out_of_data_space", ThinPoolStatus.Mode.OUT_OF_DATA_SPACE);

    static final Map<String, ThinPoolStatus.Discards> DISCARDS = Map.of(
            "discard_passdown", ThinPoolStatus.Discards.PASSDOWN,
            "no_discard_passdown", ThinPoolStatus.Discards.NO_PASSDOWN,
            "ignore_discard", ThinPoolStatus.Discards.IGNORE);

    static final Map<String, ThinPoolStatus.NoSpace> NO_SPACE = Map.of(
            "queue_if_no_space", ThinPoolStatus.NoSpace.QUEUE, "error_if_no_space", ThinPoolStatus.NoSpace.ERROR);

    static final Map<String, CacheStatus.IoMode> IO_MODES = Map.of("writeback", CacheStatus.IoMode.WRITEBACK,
            "writethrough", CacheStatus.IoMode.WRITETHROUGH, "passthrough", CacheStatus.IoMode.PASSTHROUGH,
            "unknown", CacheStatus.IoMode.UNKNOWN);

    static final Map<String, RaidStatus.SyncAction> SYNC_ACTIONS = Map.of("idle", RaidStatus.SyncAction.IDLE,
            "frozen", RaidStatus.SyncAction.FROZEN, "resync", RaidStatus.SyncAction.RESYNC,
            "recover", RaidStatus.SyncAction.RECOVER, "check", RaidStatus.SyncAction.CHECK,
            "repair", RaidStatus.SyncAction.REPAIR, "reshape", RaidStatus.SyncAction.RESHAPE,
            "undef", RaidStatus.SyncAction.UNDEFINED);

    static final Map<Character, RaidStatus.Health> RAID_HEALTH = Map.of('A', RaidStatus.Health.ALIVE_IN_SYNC,
            'a', RaidStatus.Health.ALIVE_NOT_IN_SYNC, 'D', RaidStatus.Health.DEAD, '-', RaidStatus.Health.MISSING);

    static final Map<Character, MirrorStatus.Health> MIRROR_HEALTH = Map.of('A', MirrorStatus.Health.ALIVE,
            'F', MirrorStatus.Health.FLUSH_FAILED, 'D', MirrorStatus.Health.WRITE_FAILED,
            'S', MirrorStatus.Health.SYNC_FAILED, 'R', MirrorStatus.Health.READ_FAILED, 'U', MirrorStatus.Health.UNKNOWN);

    static final Map<Character, MultipathStatus.GroupState> GROUP_STATES = Map.of(
            'A', MultipathStatus.GroupState.ACTIVE, 'E', MultipathStatus.GroupState.ENABLED,
            'D', MultipathStatus.GroupState.DISABLED);

    static final Map<Character, StripedStatus.Health> STRIPE_HEALTH = Map.of('A', StripedStatus.Health.ALIVE,
            'D', StripedStatus.Health.DEAD);
}
