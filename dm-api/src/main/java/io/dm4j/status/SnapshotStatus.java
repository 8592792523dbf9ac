package io.dm4j.status;

/**
 * The status of a {@code snapshot} or {@code snapshot-merge} target: the use of its COW device
 * ({@link Working}), or {@code Invalid}, {@code Merge failed}, {@code Overflow} or {@code Unknown}
 * ({@link TargetFailure}). Printed by {@code snapshot_status()} in {@code dm-snap.c}. The
 * {@code snapshot-origin} target reports nothing ({@link EmptyStatus}).
 */
public sealed interface SnapshotStatus extends StatusReport permits SnapshotStatus.Working, TargetFailure {

    /** The type name of a snapshot. */
    String TYPE = "snapshot";

    /** The type name of a snapshot merging back into its origin. */
    String MERGE_TYPE = "snapshot-merge";

    /**
     * Parses the status text of a snapshot or snapshot-merge target.
     *
     * @param merging true for {@code snapshot-merge}
     * @throws StatusParseException if the text has neither the working form nor a failure word
     */
    static SnapshotStatus parse(boolean merging, String text) {
        String type = merging ? MERGE_TYPE : TYPE;
        Tokens t = new Tokens(type, text);
        TargetFailure failure = TargetFailure.of(type, t, TargetFailure.Kind.INVALID, TargetFailure.Kind.MERGE_FAILED,
                TargetFailure.Kind.OVERFLOW, TargetFailure.Kind.UNKNOWN_USAGE);
        if (failure != null) {
            return failure;
        }
        long[] allocated = t.ratio("allocated/total sectors");
        long metadata = t.number("metadata sectors");
        return t.build(() -> new Working(merging, allocated[0], allocated[1], metadata));
    }

    /**
     * A snapshot that reports the use of its COW device, in 512-byte sectors.
     *
     * @param merging true for {@code snapshot-merge}
     * @param allocatedSectors COW sectors in use, metadata included
     * @param totalSectors the size of the COW device
     * @param metadataSectors COW sectors holding the exception store's header and tables (0 for a
     *     transient snapshot)
     */
    record Working(boolean merging, long allocatedSectors, long totalSectors, long metadataSectors)
            implements SnapshotStatus {

        /** Checks the fields for consistency. */
        public Working {
            Checks.usage("allocated COW sectors", allocatedSectors, totalSectors);
            Checks.notNegative("metadata sectors", metadataSectors);
        }

        /**
         * For {@code snapshot-merge}: every chunk went back to the origin, only metadata is left
         * (LVM's test for a finished merge).
         */
        public boolean merged() {
            return merging && allocatedSectors == metadataSectors;
        }

        @Override
        public String type() {
            return merging ? MERGE_TYPE : TYPE;
        }
    }
}
