package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * {@code thin-pool}: a pool of data blocks shared by thin volumes and their snapshots. A metadata
 * device whose first block is zeroed gets formatted by the first load. Volumes are made with the
 * pool's messages ({@code create_thin}, {@code create_snap}) and mapped with {@link ThinTarget}.
 *
 * @param metadata the metadata device
 * @param data the data device
 * @param blockSize the data block size: a multiple of 128 sectors (64 KiB), 128..2097152
 * @param lowWaterMarkBlocks free data blocks below which the pool raises an event
 * @param features optional features
 */
public record ThinPoolTarget(DeviceNumber metadata, DeviceNumber data, Sectors blockSize, long lowWaterMarkBlocks,
        Set<Feature> features) implements Target {
    static final String TYPE = "thin-pool";

    /** Thin-pool features, in the order the kernel prints them. */
    public enum Feature {
        /** {@code skip_block_zeroing}: new blocks are not zeroed first. */
        SKIP_BLOCK_ZEROING,
        /** {@code ignore_discard}: discards are not supported. */
        IGNORE_DISCARD,
        /** {@code no_discard_passdown}: discards free pool blocks but do not reach the data device. */
        NO_DISCARD_PASSDOWN,
        /** {@code read_only}: no metadata changes. */
        READ_ONLY,
        /** {@code error_if_no_space}: fail writes at once when full instead of queueing them. */
        ERROR_IF_NO_SPACE;
    }

    /** Checks the fields. */
    public ThinPoolTarget {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(data, "data");
        Checks.rule(blockSize.count() >= 128 && blockSize.count() <= 2097152 && blockSize.count() % 128 == 0, TYPE,
                "block size", "must be a multiple of 128 sectors within 128..2097152, got " + blockSize.count());
        Checks.range(TYPE, "low water mark", lowWaterMarkBlocks, 0, Long.MAX_VALUE);
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    /** A pool without features. */
    public ThinPoolTarget(DeviceNumber metadata, DeviceNumber data, Sectors blockSize, long lowWaterMarkBlocks) {
        this(metadata, data, blockSize, lowWaterMarkBlocks, Set.of());
    }

    static ThinPoolTarget parse(Args args) {
        DeviceNumber metadata = args.device("metadata device");
        DeviceNumber data = args.device("data device");
        Sectors blockSize = args.sectors("block size");
        long lowWater = args.number("low water mark");
        int n = args.count("feature count", Feature.values().length);
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        for (int i = 0; i < n; i++) {
            Feature f = args.keyword("feature", Feature.class);
            if (!features.add(f)) {
                throw args.error("feature", "repeated: '" + Args.keyword(f) + "'");
            }
        }
        return new ThinPoolTarget(metadata, data, blockSize, lowWater, features);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** With a space after every field, as the kernel prints it. */
    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(metadata).append(' ').append(data).append(' ')
                .append(blockSize.count()).append(' ').append(lowWaterMarkBlocks).append(' ').append(features.size())
                .append(' ');
        for (Feature f : Feature.values()) {
            if (features.contains(f)) {
                s.append(Args.keyword(f)).append(' ');
            }
        }
        return s.toString();
    }
}
