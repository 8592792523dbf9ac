package io.dm4j.status;

import java.util.Objects;

/**
 * A target that reported a failure word instead of its numbers: a thin pool in fail mode, a snapshot
 * that was invalidated, a status the driver could not read from its metadata. Parsed, not thrown:
 * a failed target is a state a storage program has to handle.
 *
 * @param type the target type
 * @param kind which failure the kernel reported
 */
public record TargetFailure(String type, Kind kind)
        implements ThinPoolStatus, ThinStatus, SnapshotStatus, CacheStatus, EraStatus {

    /** Checks that both are present. */
    public TargetFailure {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
    }

    /** The failure among {@code kinds} that the whole text spells, or null if it spells none. */
    static TargetFailure of(String type, Tokens text, Kind... kinds) {
        Kind kind = Words.FAILURES.get(text.whole());
        return kind != null && java.util.Arrays.asList(kinds).contains(kind) ? new TargetFailure(type, kind) : null;
    }

    /** The failure words the kernel prints, each for the targets that print it. */
    public enum Kind {
        /** {@code Fail}: thin-pool, thin or cache metadata failed; no I/O is served (thin-pool, thin, cache). */
        FAIL,
        /** {@code Error}: the driver could not read its own statistics (thin-pool, thin, cache, era). */
        ERROR,
        /** {@code -}: the thin device is not open in its pool (thin). */
        UNAVAILABLE,
        /** {@code Invalid}: the snapshot was dropped, e.g. its COW device filled up (snapshot). */
        INVALID,
        /** {@code Merge failed}: merging the snapshot back into its origin stopped (snapshot-merge). */
        MERGE_FAILED,
        /** {@code Overflow}: the COW device of a {@code PO} snapshot is full; writes to it fail (snapshot). */
        OVERFLOW,
        /** {@code Unknown}: the exception store cannot report its usage (snapshot). */
        UNKNOWN_USAGE
    }
}
