package io.dm4j.status;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of a {@code cache} target: usage, counters and configuration ({@link Working}), or
 * {@code Fail} / {@code Error} ({@link TargetFailure}). Printed by {@code cache_status()} in
 * {@code dm-cache-target.c}.
 */
public sealed interface CacheStatus extends StatusReport permits CacheStatus.Working, TargetFailure {

    /** The kernel's target type name. */
    String TYPE = "cache";

    /**
     * Parses the status text of a cache target.
     *
     * @throws StatusParseException if the text has neither the working form nor a failure word
     */
    static CacheStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        TargetFailure failure = TargetFailure.of(TYPE, t, TargetFailure.Kind.FAIL, TargetFailure.Kind.ERROR);
        if (failure != null) {
            return failure;
        }
        long metadataBlockSize = t.number("metadata block size");
        long[] metadata = t.ratio("used/total metadata blocks");
        long cacheBlockSize = t.number("cache block size");
        long[] cache = t.ratio("used/total cache blocks");
        Counters counters = new Counters(t.number("read hits"), t.number("read misses"), t.number("write hits"),
                t.number("write misses"), t.number("demotions"), t.number("promotions"), t.number("dirty blocks"));
        List<String> features = t.counted("features");
        Map<String, String> core = t.countedPairs("core arguments");
        String policy = t.word("policy name");
        Map<String, String> policyArgs = t.countedPairs("policy arguments");
        boolean readOnly = t.either("metadata mode", "ro", "rw");
        boolean needsCheck = t.flag("needs_check", "needs_check");
        return t.build(() -> new Working(metadataBlockSize, metadata[0], metadata[1], cacheBlockSize, cache[0],
                cache[1], counters, features, core, policy, policyArgs, readOnly, needsCheck));
    }

    /**
     * A cache that reports its numbers.
     *
     * @param metadataBlockSizeSectors size of a metadata block, in sectors (8: 4 KiB)
     * @param usedMetadataBlocks metadata blocks in use
     * @param totalMetadataBlocks metadata blocks on the metadata device
     * @param cacheBlockSizeSectors size of a cache block, in sectors, as the table set it
     * @param usedCacheBlocks cache blocks holding data
     * @param totalCacheBlocks cache blocks on the cache device
     * @param counters I/O counters since the table was loaded
     * @param features the feature words, e.g. {@code metadata2 writeback no_discard_passdown}
     * @param coreArguments key/value tunables of the cache core, e.g. {@code migration_threshold}
     * @param policy the policy's name, e.g. {@code smq} or {@code cleaner}
     * @param policyArguments key/value tunables of the policy
     * @param readOnly the metadata is read-only (after an error, or by the table)
     * @param needsCheck the metadata needs {@code cache_check}
     */
    record Working(long metadataBlockSizeSectors, long usedMetadataBlocks, long totalMetadataBlocks,
            long cacheBlockSizeSectors, long usedCacheBlocks, long totalCacheBlocks, Counters counters,
            List<String> features, Map<String, String> coreArguments, String policy,
            Map<String, String> policyArguments, boolean readOnly, boolean needsCheck) implements CacheStatus {

        /** Checks the fields for consistency. */
        public Working {
            Objects.requireNonNull(counters, "counters");
            Objects.requireNonNull(policy, "policy");
            features = Checks.list("features", features);
            coreArguments = Checks.pairs("coreArguments", coreArguments);
            policyArguments = Checks.pairs("policyArguments", policyArguments);
            Checks.notNegative("metadata block size", metadataBlockSizeSectors);
            Checks.notNegative("cache block size", cacheBlockSizeSectors);
            Checks.usage("used metadata blocks", usedMetadataBlocks, totalMetadataBlocks);
            Checks.usage("used cache blocks", usedCacheBlocks, totalCacheBlocks);
        }

        /** How writes reach the origin, from {@link #features()}. */
        public IoMode ioMode() {
            return features.stream().map(Words.IO_MODES::get).filter(java.util.Objects::nonNull).findFirst()
                    .orElse(IoMode.UNKNOWN);
        }

        /** The core's migration threshold in sectors, if it reports one. */
        public OptionalLong migrationThresholdSectors() {
            String value = coreArguments.get("migration_threshold");
            if (value == null || value.isEmpty() || !value.chars().allMatch(Character::isDigit) || value.length() > 18) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(value));
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * The cache's I/O counters. The kernel keeps them in 32-bit counters, which wrap.
     *
     * @param readHits reads served from the cache
     * @param readMisses reads sent to the origin
     * @param writeHits writes to cached blocks
     * @param writeMisses writes sent to the origin
     * @param demotions blocks dropped from the cache
     * @param promotions blocks copied into the cache
     * @param dirtyBlocks cached blocks that differ from the origin
     */
    record Counters(long readHits, long readMisses, long writeHits, long writeMisses, long demotions, long promotions,
            long dirtyBlocks) {}

    /** How writes reach the origin. */
    enum IoMode {
        /** {@code writeback}: writes go to the cache; the origin is updated later. */
        WRITEBACK,
        /** {@code writethrough}: writes go to both. */
        WRITETHROUGH,
        /** {@code passthrough}: the cache is bypassed; cached blocks are invalidated on write. */
        PASSTHROUGH,
        /** {@code unknown}: the kernel's own word for an io mode it does not recognise. */
        UNKNOWN
    }
}
