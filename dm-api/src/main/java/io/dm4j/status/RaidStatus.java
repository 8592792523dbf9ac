package io.dm4j.status;

import io.dm4j.InvalidArgumentException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of a {@code raid} target (md RAID through device-mapper), printed by
 * {@code raid_status()} in {@code dm-raid.c}; dm-raid 1.10+ (every kernel since 4.8) prints all
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
        health = Checks.list("health", health);
        if (health.size() != devices) {
            throw new InvalidArgumentException("health", "must have one entry for each of the " + devices
                    + " devices, got " + health.size());
        }
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
        List<Health> health = t.letters("health", Health.class);
        long[] sync = t.ratio("sync ratio");
        SyncAction action = t.keyword("sync action", SyncAction.class);
        long mismatches = t.number("mismatch count");
        long dataOffset = t.number("data offset");
        String journalWord = t.word("journal");
        Optional<Health> journal = Optional.empty();
        if (!journalWord.equals("-")) {
            if (journalWord.length() != 1) {
                throw t.error("journal", "'" + journalWord + "' is not one health letter or -");
            }
            journal = Optional.of(t.letter("journal", journalWord.charAt(0), Health.class));
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
    public enum Health implements Tokens.Letter {
        /** {@code A}: alive and in sync (for a journal: write-through). */
        ALIVE_IN_SYNC('A'),
        /** {@code a}: alive, not in sync yet (for a journal: write-back). */
        ALIVE_NOT_IN_SYNC('a'),
        /** {@code D}: dead, failed. */
        DEAD('D'),
        /** {@code -}: no device in this slot (the table gave {@code - -}). */
        MISSING('-');

        private final char letter;

        Health(char letter) {
            this.letter = letter;
        }

        /** The letter the kernel prints. */
        @Override
        public char letter() {
            return letter;
        }
    }

    /** What the set is doing; the raid messages {@code check}, {@code repair}... start these. */
    public enum SyncAction implements Tokens.Keyword {
        /** {@code idle}: nothing. */
        IDLE("idle"),
        /** {@code frozen}: sync actions are stopped until another message. */
        FROZEN("frozen"),
        /** {@code resync}: the initial synchronisation, or after an unclean shutdown. */
        RESYNC("resync"),
        /** {@code recover}: rebuilding replaced devices. */
        RECOVER("recover"),
        /** {@code check}: reading everything and counting mismatches, changing nothing. */
        CHECK("check"),
        /** {@code repair}: like check, and rewriting what differs. */
        REPAIR("repair"),
        /** {@code reshape}: changing the layout or the number of devices. */
        RESHAPE("reshape"),
        /** {@code undef}: the kernel could not tell. */
        UNDEFINED("undef");

        private final String keyword;

        SyncAction(String keyword) {
            this.keyword = keyword;
        }

        /** The word the kernel prints. */
        @Override
        public String keyword() {
            return keyword;
        }
    }
}
