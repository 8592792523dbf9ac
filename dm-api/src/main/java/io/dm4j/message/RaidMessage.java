package io.dm4j.message;

import java.util.Locale;

/**
 * Messages of a {@code raid} target ({@code raid_message()} in {@code dm-raid.c}): they set the
 * md sync action, which the status reports. All but {@code idle} and {@code frozen} fail with
 * {@code EBUSY} while another action runs.
 */
public enum RaidMessage implements TargetMessage {
    /** {@code idle}: stops the running sync action. */
    IDLE,
    /** {@code frozen}: stops it and starts none until the next message. */
    FROZEN,
    /** {@code resync}: synchronises the whole set again. */
    RESYNC,
    /** {@code recover}: rebuilds devices that are not in sync. */
    RECOVER,
    /** {@code check}: reads everything and counts mismatches, changing nothing. */
    CHECK,
    /** {@code repair}: like check, and rewrites what differs. */
    REPAIR;

    @Override
    public String targetType() {
        return "raid";
    }

    @Override
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
