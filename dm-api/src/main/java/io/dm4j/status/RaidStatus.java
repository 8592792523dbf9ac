package io.dm4j.status;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of a {@code raid} target (md RAID through device-mapper), printed by
 * {@code raid_status()} in {@code dm-raid.c}; dm-raid 1.10 and later (6.1 has 1.15) print all
 * these fields.
 *
 * @param raidType the RAID type, e.g. {@code raid1}, {@code raid5_ls}, {@code raid10}
 * @param devices the number of devices in the set
 * @param health each device's health, in table order
 * @param syncedSectors sectors in sync (or reshaped), of {@code totalSectors}
 * @param totalSectors sectors per device that a resync covers
 * @param syncAction what the set is doing
 * @param mismatches discrepancies found by the last {@code check}
 * @param dataOffset sectors from the start of each data device to the first stripe
 * @param journal the journal device's health, if the set has one (raid4/5/6)
 */
public record RaidStatus(String raidType, int devices, List<Health> health, long syncedSectors, long totalSectors,
        SyncAction syncAction, long mismatches, long dataOffset, Optional<Health> journal) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "raid";

    /** Checks the fields for consistency. */
    public RaidStatus {
        Objects.requireNonNull(raidType, "raidType");
        Objects.requireNonNull(syncAction, "syncAction");
        Objects.requireNonNull(journal, "journal");
        health = Checks.perDevice("health", health, devices);
        Checks.usage("synced sectors", syncedSectors, totalSectors);
        Checks.notNegative("mismatches", mismatches);
        Checks.notNegative("data offset", dataOffset);
    }

    /**
     * Parses the status text of a raid target.
     *
     * @throws StatusParseException if the text does not have the raid form
     */
    public static RaidStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        String raidType = t.word("raid type");
        int devices = t.smallNumber("devices", 253);
        List<Health> health = t.letters("health", t.word("health"), Words.RAID_HEALTH);
        long[] sync = t.ratio("sync ratio");
        SyncAction action = t.keyword("sync action", Words.SYNC_ACTIONS);
        long mismatches = t.number("mismatch count");
        long dataOffset = t.number("data offset");
        String journalWord = t.word("journal");
        Optional<Health> journal = Optional.empty();
        if (!journalWord.equals("-")) {
            if (journalWord.length() != 1) {
                throw t.error("journal", "'" + journalWord + "' is not one health letter or -");
            }
            journal = Optional.of(t.letter("journal", journalWord.charAt(0), Words.RAID_HEALTH));
        }
        Optional<Health> j = journal;
        return t.build(() -> new RaidStatus(raidType, devices, health, sync[0], sync[1], action, mismatches,
                dataOffset, j));
    }

    /** True when every device is alive and in sync and no sync action runs. */
    public boolean inSync() {
        return syncAction == SyncAction.IDLE && syncedSectors == totalSectors
                && health.stream().allMatch(h -> h == Health.ALIVE_IN_SYNC);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** One device's health letter. */
    public enum Health {
        /** {@code A}: alive and in sync (for a journal: write-through). */
        ALIVE_IN_SYNC,
        /** {@code a}: alive, not in sync yet (for a journal: write-back). */
        ALIVE_NOT_IN_SYNC,
        /** {@code D}: dead, failed. */
        DEAD,
        /** {@code -}: no device in this slot (the table gave {@code - -}). */
        MISSING
    }

    /** What the set is doing; the raid messages {@code check}, {@code repair}... start these. */
    public enum SyncAction {
        /** {@code idle}: nothing. */
        IDLE,
        /** {@code frozen}: sync actions are stopped until another message. */
        FROZEN,
        /** {@code resync}: the initial synchronisation, or after an unclean shutdown. */
        RESYNC,
        /** {@code recover}: rebuilding replaced devices. */
        RECOVER,
        /** {@code check}: reading everything and counting mismatches, changing nothing. */
        CHECK,
        /** {@code repair}: like check, and rewriting what differs. */
        REPAIR,
        /** {@code reshape}: changing the layout or the number of devices. */
        RESHAPE,
        /** {@code undef}: the kernel could not tell. */
        UNDEFINED
    }
}
