package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Objects;

/**
 * {@code writecache}: caches writes to an origin device on a faster device (SSD or persistent
 * memory) and writes them back later.
 *
 * @param mode what the cache device is
 * @param origin the slow device
 * @param cache the cache device
 * @param blockSize the cache block size: a power of two, 512..{@code PAGE_SIZE} bytes
 * @param options optional arguments, keywords from {@link Option}
 */
public record WritecacheTarget(Mode mode, DeviceNumber origin, DeviceNumber cache, Sectors blockSize,
        List<TargetOption> options) implements Target {
    static final String TYPE = "writecache";

    /** The kind of cache device. */
    public enum Mode {
        /** {@code p}: persistent memory (DAX). */
        PMEM("p"),
        /** {@code s}: a block device, e.g. an SSD. */
        SSD("s");

        final String letter;

        Mode(String letter) {
            this.letter = letter;
        }
    }

    /** Writecache's optional arguments, in the kernel's order. */
    public static final class Option {
        private Option() {}

        /** {@code start_sector <n>}: where the cache starts on the cache device. */
        public static final OptionKey START_SECTOR = OptionKey.of("start_sector", OptionKey.Value.NUMBER);
        /** {@code high_watermark <percent>}: start writeback above this fill. */
        public static final OptionKey HIGH_WATERMARK = OptionKey.of("high_watermark", OptionKey.Value.NUMBER);
        /** {@code low_watermark <percent>}: stop writeback below this fill. */
        public static final OptionKey LOW_WATERMARK = OptionKey.of("low_watermark", OptionKey.Value.NUMBER);
        /** {@code writeback_jobs <n>}. */
        public static final OptionKey WRITEBACK_JOBS = OptionKey.of("writeback_jobs", OptionKey.Value.NUMBER);
        /** {@code autocommit_blocks <n>}. */
        public static final OptionKey AUTOCOMMIT_BLOCKS = OptionKey.of("autocommit_blocks", OptionKey.Value.NUMBER);
        /** {@code autocommit_time <ms>}. */
        public static final OptionKey AUTOCOMMIT_TIME = OptionKey.of("autocommit_time", OptionKey.Value.NUMBER);
        /** {@code max_age <ms>}. */
        public static final OptionKey MAX_AGE = OptionKey.of("max_age", OptionKey.Value.NUMBER);
        /** {@code cleaner}: write everything back, cache nothing new. */
        public static final OptionKey CLEANER = OptionKey.of("cleaner", OptionKey.Value.NONE);
        /** {@code fua}: FUA writeback (persistent memory only). */
        public static final OptionKey FUA = OptionKey.of("fua", OptionKey.Value.NONE);
        /** {@code nofua}: writeback without FUA (persistent memory only). */
        public static final OptionKey NOFUA = OptionKey.of("nofua", OptionKey.Value.NONE);
        /** {@code metadata_only}: cache metadata writes only. */
        public static final OptionKey METADATA_ONLY = OptionKey.of("metadata_only", OptionKey.Value.NONE);
        /** {@code pause_writeback <ms>} (SSD only). */
        public static final OptionKey PAUSE_WRITEBACK = OptionKey.of("pause_writeback", OptionKey.Value.NUMBER);

        /** All of them, in the kernel's order. */
        static final List<OptionKey> ALL = List.of(START_SECTOR, HIGH_WATERMARK, LOW_WATERMARK, WRITEBACK_JOBS,
                AUTOCOMMIT_BLOCKS, AUTOCOMMIT_TIME, MAX_AGE, CLEANER, FUA, NOFUA, METADATA_ONLY, PAUSE_WRITEBACK);
    }

    /** Checks the fields and the kernel's rules between them; puts the options in the kernel's order. */
    public WritecacheTarget {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(cache, "cache");
        Checks.rule(blockSize.isPowerOfTwo() && blockSize.bytes() >= 512 && blockSize.bytes() <= 65536, TYPE,
                "block size", "must be a power of two of 512 bytes or more, up to the page size; got "
                        + blockSize.bytes());
        options = Options.canonical(TYPE, Option.ALL, options);
        for (TargetOption o : options) {
            if (o.key() == Option.HIGH_WATERMARK || o.key() == Option.LOW_WATERMARK) {
                Checks.range(TYPE, o.key().keyword(), o.number(), 0, 100);
            }
        }
        Checks.rule(!(Options.has(options, Option.FUA) && Options.has(options, Option.NOFUA)), TYPE, "options",
                "must not have both fua and nofua");
        Checks.rule(mode == Mode.PMEM || !(Options.has(options, Option.FUA) || Options.has(options, Option.NOFUA)),
                TYPE, "options", "fua and nofua apply to persistent memory only");
        Checks.rule(mode == Mode.SSD || !Options.has(options, Option.PAUSE_WRITEBACK), TYPE, "options",
                "pause_writeback applies to SSD caches only");
    }

    static WritecacheTarget parse(Args args) {
        String m = args.word("mode");
        Mode mode = m.equals("p") ? Mode.PMEM : m.equals("s") ? Mode.SSD : null;
        if (mode == null) {
            throw args.error("mode", "must be p or s, got '" + m + "'");
        }
        DeviceNumber origin = args.device("origin device");
        DeviceNumber cache = args.device("cache device");
        Sectors blockSize = args.bytes("block size");
        int words = args.count("option count", 64);
        return new WritecacheTarget(mode, origin, cache, blockSize, Options.parse(args, words, Option.ALL, false));
    }

    /** The same target with other options, e.g. {@code cleaner} to flush the cache before removing it. */
    public WritecacheTarget withOptions(List<TargetOption> newOptions) {
        return new WritecacheTarget(mode, origin, cache, blockSize, newOptions);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(mode.letter).append(' ').append(origin).append(' ').append(cache)
                .append(' ').append(blockSize.bytes()).append(' ').append(Options.words(options, false));
        Options.append(s, options, false);
        return s.toString();
    }
}
