package io.dm4j.status;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of a {@code thin-pool} target: its usage and mode ({@link Working}), or {@code Fail} /
 * {@code Error} ({@link TargetFailure}). Printed by {@code pool_status()} in the kernel's
 * {@code dm-thin.c}; a status read without {@code noflush} commits the pool's metadata first.
 */
public sealed interface ThinPoolStatus extends StatusReport permits ThinPoolStatus.Working, TargetFailure {

    /** The kernel's target type name. */
    String TYPE = "thin-pool";

    /**
     * Parses the status text of a thin-pool target.
     *
     * @throws StatusParseException if the text has neither the working form nor a failure word
     */
    static ThinPoolStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        TargetFailure failure = TargetFailure.of(TYPE, t, TargetFailure.Kind.FAIL, TargetFailure.Kind.ERROR);
        if (failure != null) {
            return failure;
        }
        long transactionId = t.number("transaction id");
        long[] metadata = t.ratio("used/total metadata blocks");
        long[] data = t.ratio("used/total data blocks");
        OptionalLong heldRoot = t.numberOrDash("held metadata root");
        Mode mode = t.keyword("mode", Words.POOL_MODES);
        Discards discards = t.keyword("discards", Words.DISCARDS);
        NoSpace noSpace = t.keyword("no-space policy", Words.NO_SPACE);
        boolean needsCheck = t.flag("needs_check", "needs_check");
        // Older kernels end before the metadata low-water mark.
        OptionalLong lowWater = t.hasNext() ? OptionalLong.of(t.number("metadata low water mark")) : OptionalLong.empty();
        return t.build(() -> new Working(transactionId, metadata[0], metadata[1], data[0], data[1], heldRoot, mode,
                discards, noSpace, needsCheck, lowWater));
    }

    /**
     * A pool that reports its numbers. Metadata blocks are 4 KiB; data blocks are the pool's block
     * size, set in its table.
     *
     * @param transactionId the userspace transaction id ({@code set_transaction_id})
     * @param usedMetadataBlocks metadata blocks in use
     * @param totalMetadataBlocks metadata blocks on the metadata device
     * @param usedDataBlocks data blocks in use
     * @param totalDataBlocks data blocks on the data device
     * @param heldMetadataRoot the block of the metadata snapshot ({@code reserve_metadata_snap}), if held
     * @param mode read-write, read-only, or out of data space
     * @param discards what the pool does with discards
     * @param noSpace what happens to writes when data space runs out
     * @param needsCheck the metadata needs {@code thin_check} before the pool can be written again
     * @param metadataLowWaterBlocks free metadata blocks below which the pool raises an event, where the
     *     kernel reports it (6.1 does)
     */
    record Working(long transactionId, long usedMetadataBlocks, long totalMetadataBlocks, long usedDataBlocks,
            long totalDataBlocks, OptionalLong heldMetadataRoot, Mode mode, Discards discards, NoSpace noSpace,
            boolean needsCheck, OptionalLong metadataLowWaterBlocks) implements ThinPoolStatus {

        /** Checks the fields for consistency. */
        public Working {
            Objects.requireNonNull(heldMetadataRoot, "heldMetadataRoot");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(discards, "discards");
            Objects.requireNonNull(noSpace, "noSpace");
            Objects.requireNonNull(metadataLowWaterBlocks, "metadataLowWaterBlocks");
            Checks.usage("used metadata blocks", usedMetadataBlocks, totalMetadataBlocks);
            Checks.usage("used data blocks", usedDataBlocks, totalDataBlocks);
            Checks.notNegative("transaction id", transactionId);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The pool's mode, as its status prints it. */
    enum Mode {
        /** {@code rw}: serving reads and writes. */
        READ_WRITE,
        /** {@code ro}: read-only, by its table or after a metadata error. */
        READ_ONLY,
        /** {@code out_of_data_space}: data space ran out; writes that need a new block wait or fail. */
        OUT_OF_DATA_SPACE
    }

    /** What the pool does with discards. */
    enum Discards {
        /** {@code discard_passdown}: frees blocks and passes the discard to the data device. */
        PASSDOWN,
        /** {@code no_discard_passdown}: frees blocks only. */
        NO_PASSDOWN,
        /** {@code ignore_discard}: discards are not supported. */
        IGNORE
    }

    /** What happens to a write that needs a block when none is free. */
    enum NoSpace {
        /** {@code queue_if_no_space}: it waits (up to the module's no_space_timeout) for the pool to grow. */
        QUEUE,
        /** {@code error_if_no_space}: it fails at once. */
        ERROR
    }
}
