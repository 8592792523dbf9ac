package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Locale;
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
    public enum Option implements OptionKey {
        /** {@code start_sector <n>}: where the cache starts on the cache device. */
        START_SECTOR(Value.NUMBER),
        /** {@code high_watermark <percent>}: start writeback above this fill. */
        HIGH_WATERMARK(Value.NUMBER),
        /** {@code low_watermark <percent>}: stop writeback below this fill. */
        LOW_WATERMARK(Value.NUMBER),
        /** {@code writeback_jobs <n>}. */
        WRITEBACK_JOBS(Value.NUMBER),
        /** {@code autocommit_blocks <n>}. */
        AUTOCOMMIT_BLOCKS(Value.NUMBER),
        /** {@code autocommit_time <ms>}. */
        AUTOCOMMIT_TIME(Value.NUMBER),
        /** {@code max_age <ms>}. */
        MAX_AGE(Value.NUMBER),
        /** {@code cleaner}: write everything back, cache nothing new. */
        CLEANER(Value.NONE),
        /** {@code fua}: FUA writeback (persistent memory only). */
        FUA(Value.NONE),
        /** {@code nofua}: writeback without FUA (persistent memory only). */
        NOFUA(Value.NONE),
        /** {@code metadata_only}: cache metadata writes only. */
        METADATA_ONLY(Value.NONE),
        /** {@code pause_writeback <ms>} (SSD only). */
        PAUSE_WRITEBACK(Value.NUMBER);

        private final Value value;

        Option(Value value) {
            this.value = value;
        }

        @Override
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public Value value() {
            return value;
        }
    }

    /** Checks the fields and the kernel's rules between them; puts the options in the kernel's order. */
    public WritecacheTarget {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(cache, "cache");
        Checks.rule(blockSize.isPowerOfTwo() && blockSize.bytes() >= 512 && blockSize.bytes() <= 65536, TYPE,
                "block size", "must be a power of two of 512 bytes or more, up to the page size; got "
                        + blockSize.bytes());
        options = Options.canonical(TYPE, Option.class, options);
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
        return new WritecacheTarget(mode, origin, cache, blockSize, Options.parse(args, words, Option.class, false));
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
