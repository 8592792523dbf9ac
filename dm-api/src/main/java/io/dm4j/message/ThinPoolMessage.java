package io.dm4j.message;

/**
 * Messages of a {@code thin-pool} target ({@code pool_message()} in {@code dm-thin.c}). Each
 * commits the pool's metadata when it succeeds. A pool in read-only or fail mode refuses them all
 * ({@code EOPNOTSUPP}).
 */
public sealed interface ThinPoolMessage extends TargetMessage {

    /** Thin device ids are 24-bit ({@code MAX_DEV_ID} in {@code dm-thin.c}). */
    long MAX_DEVICE_ID = (1L << 24) - 1;

    @Override
    default String targetType() {
        return "thin-pool";
    }

    /** {@code create_thin <id>}: a new, empty thin device; {@code EEXIST} if the id is taken. */
    static ThinPoolMessage createThin(long deviceId) {
        return new CreateThin(deviceId);
    }

    /**
     * {@code create_snap <id> <origin id>}: a snapshot of another thin device. If the origin is
     * active, suspend it first, or the snapshot may miss writes in flight.
     */
    static ThinPoolMessage createSnapshot(long deviceId, long originId) {
        return new CreateSnapshot(deviceId, originId);
    }

    /** {@code delete <id>}: deletes a thin device, which must not be active. */
    static ThinPoolMessage delete(long deviceId) {
        return new Delete(deviceId);
    }

    /**
     * {@code set_transaction_id <current> <next>}: userspace's own transaction id, kept in the
     * metadata; {@code EINVAL} if {@code current} is not the pool's.
     */
    static ThinPoolMessage setTransactionId(long current, long next) {
        return new SetTransactionId(current, next);
    }

    /** {@code reserve_metadata_snap}: a snapshot of the metadata, for tools that read it live. */
    static ThinPoolMessage reserveMetadataSnapshot() {
        return MetadataSnapshot.RESERVE;
    }

    /** {@code release_metadata_snap}: drops the metadata snapshot. */
    static ThinPoolMessage releaseMetadataSnapshot() {
        return MetadataSnapshot.RELEASE;
    }

    /** @param deviceId the new device's id, 0..{@value #MAX_DEVICE_ID} */
    record CreateThin(long deviceId) implements ThinPoolMessage {
        /** Checks the id. */
        public CreateThin {
            Args.range("thin device id", deviceId, 0, MAX_DEVICE_ID);
        }

        @Override
        public String text() {
            return "create_thin " + deviceId;
        }
    }

    /**
     * @param deviceId the snapshot's id
     * @param originId the id of the thin device it snapshots
     */
    record CreateSnapshot(long deviceId, long originId) implements ThinPoolMessage {
        /** Checks the ids. */
        public CreateSnapshot {
            Args.range("thin device id", deviceId, 0, MAX_DEVICE_ID);
            Args.range("origin thin device id", originId, 0, MAX_DEVICE_ID);
            if (deviceId == originId) {
                throw new io.dm4j.InvalidArgumentException("thin device id", "must differ from the origin's, "
                        + deviceId);
            }
        }

        @Override
        public String text() {
            return "create_snap " + deviceId + " " + originId;
        }
    }

    /** @param deviceId the id of the device to delete */
    record Delete(long deviceId) implements ThinPoolMessage {
        /** Checks the id. */
        public Delete {
            Args.range("thin device id", deviceId, 0, MAX_DEVICE_ID);
        }

        @Override
        public String text() {
            return "delete " + deviceId;
        }
    }

    /**
     * @param current the pool's transaction id now
     * @param next the id to set
     */
    record SetTransactionId(long current, long next) implements ThinPoolMessage {
        /** Checks the ids. */
        public SetTransactionId {
            Args.range("current transaction id", current, 0, Long.MAX_VALUE);
            Args.range("next transaction id", next, 0, Long.MAX_VALUE);
        }

        @Override
        public String text() {
            return "set_transaction_id " + current + " " + next;
        }
    }

    /** {@code reserve_metadata_snap} or {@code release_metadata_snap}. */
    enum MetadataSnapshot implements ThinPoolMessage {
        /** {@code reserve_metadata_snap}. */
        RESERVE,
        /** {@code release_metadata_snap}. */
        RELEASE;

        @Override
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT) + "_metadata_snap";
        }
    }
}
