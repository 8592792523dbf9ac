package io.dm4j.target;

import java.util.Objects;

/**
 * {@code snapshot-merge}: takes the place of a snapshot's origin and merges the snapshot's
 * exception store back into it; it takes the same parameters as {@code snapshot}. Merging is done
 * when the status shows as many allocated sectors as metadata sectors.
 *
 * @param snapshot the snapshot being merged; its store must be persistent
 */
public record SnapshotMergeTarget(SnapshotTarget snapshot) implements Target {
    static final String TYPE = "snapshot-merge";

    /** Checks that the store can merge. */
    public SnapshotMergeTarget {
        Objects.requireNonNull(snapshot, "snapshot");
        Checks.rule(snapshot.store() != SnapshotTarget.Store.TRANSIENT, TYPE, "store",
                "must be persistent: a transient store cannot merge");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return snapshot.params();
    }
}
