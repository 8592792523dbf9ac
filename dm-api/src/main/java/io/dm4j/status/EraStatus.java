package io.dm4j.status;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of an {@code era} target: its metadata use and current era ({@link Working}), or
 * {@code Error} ({@link TargetFailure}). Printed by {@code era_status()} in {@code dm-era-target.c}.
 */
public sealed interface EraStatus extends StatusReport permits EraStatus.Working, TargetFailure {

    /** The kernel's target type name. */
    String TYPE = "era";

    /**
     * Parses the status text of an era target.
     *
     * @throws StatusParseException if the text has neither the working form nor {@code Error}
     */
    static EraStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        TargetFailure failure = TargetFailure.of(TYPE, t, TargetFailure.Kind.ERROR);
        if (failure != null) {
            return failure;
        }
        long blockSize = t.number("metadata block size");
        long[] metadata = t.ratio("used/total metadata blocks");
        long era = t.number("current era");
        OptionalLong held = t.numberOrDash("held metadata root");
        return t.build(() -> new Working(blockSize, metadata[0], metadata[1], era, held));
    }

    /**
     * An era target that reports its numbers.
     *
     * @param metadataBlockSizeSectors size of a metadata block, in sectors (8: 4 KiB)
     * @param usedMetadataBlocks metadata blocks in use
     * @param totalMetadataBlocks metadata blocks on the metadata device
     * @param currentEra the era that writes are now recorded in ({@code checkpoint} starts the next)
     * @param heldMetadataRoot the block of the metadata snapshot ({@code take_metadata_snap}), if held
     */
    record Working(long metadataBlockSizeSectors, long usedMetadataBlocks, long totalMetadataBlocks,
            long currentEra, OptionalLong heldMetadataRoot) implements EraStatus {

        /** Checks the fields for consistency. */
        public Working {
            Objects.requireNonNull(heldMetadataRoot, "heldMetadataRoot");
            Checks.notNegative("metadata block size", metadataBlockSizeSectors);
            Checks.usage("used metadata blocks", usedMetadataBlocks, totalMetadataBlocks);
            Checks.notNegative("current era", currentEra);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }
}
