package io.dm4j.message;

import java.util.Locale;

/** Messages of an {@code era} target ({@code era_message()} in {@code dm-era-target.c}). */
public enum EraMessage implements TargetMessage {
    /** {@code checkpoint}: ends the current era; writes are recorded in the next. */
    CHECKPOINT,
    /** {@code take_metadata_snap}: a metadata snapshot for {@code era_invalidate}; its root shows in the status. */
    TAKE_METADATA_SNAP,
    /** {@code drop_metadata_snap}: drops it. */
    DROP_METADATA_SNAP;

    @Override
    public String targetType() {
        return "era";
    }

    @Override
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
