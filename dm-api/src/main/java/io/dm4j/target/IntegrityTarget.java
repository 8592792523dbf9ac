package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Objects;

/**
 * {@code integrity}: keeps an integrity tag per sector (dm-integrity). On a device whose superblock
 * is all zeros, the first load formats it.
 *
 * <p>The kernel reports options back with its defaults filled in ({@code journal_sectors},
 * {@code interleave_sectors}, {@code buffer_sectors}, and per mode {@code journal_watermark} and
 * {@code commit_time} or {@code sectors_per_bit} and {@code bitmap_flush_interval}); give them
 * explicitly for a table that reads back unchanged. Keys of keyed algorithms
 * ({@code internal_hash:hmac(sha256):<hex>}) stay text: only crypt keys are kept as bytes.
 *
 * @param device the device
 * @param offset the first sector used on it (the superblock)
 * @param tagSize bytes of tag per sector, at least 1 (the kernel reports the size an
 *     {@code internal_hash} chose when the table said {@code -})
 * @param mode the write mode
 * @param options optional arguments, keywords from {@link Option}, written {@code keyword:value}
 */
public record IntegrityTarget(DeviceNumber device, Sectors offset, int tagSize, Mode mode,
        List<TargetOption> options) implements Target {
    static final String TYPE = "integrity";

    /** How writes keep data and tags consistent. */
    public enum Mode {
        /** {@code J}: through a journal. */
        JOURNAL('J'),
        /** {@code B}: with a bitmap of dirty regions (needs {@code internal_hash}). */
        BITMAP('B'),
        /** {@code D}: directly, no journal (a crash can leave data and tags inconsistent). */
        DIRECT('D'),
        /** {@code R}: recovery, read-only without checking tags. */
        RECOVERY('R');

        final char letter;

        Mode(char letter) {
            this.letter = letter;
        }
    }

    /** Integrity's optional arguments, in the kernel's order. */
    public static final class Option {
        private Option() {}

        /** {@code meta_device:<dev>}: tags on a separate device. */
        public static final OptionKey META_DEVICE = OptionKey.of("meta_device", OptionKey.Value.DEVICE);
        /** {@code block_size:<bytes>}. */
        public static final OptionKey BLOCK_SIZE = OptionKey.of("block_size", OptionKey.Value.NUMBER);
        /** {@code recalculate}: recompute tags in the background. */
        public static final OptionKey RECALCULATE = OptionKey.of("recalculate", OptionKey.Value.NONE);
        /** {@code reset_recalculate}. */
        public static final OptionKey RESET_RECALCULATE = OptionKey.of("reset_recalculate", OptionKey.Value.NONE);
        /** {@code allow_discards}. */
        public static final OptionKey ALLOW_DISCARDS = OptionKey.of("allow_discards", OptionKey.Value.NONE);
        /** {@code journal_sectors:<n>}. */
        public static final OptionKey JOURNAL_SECTORS = OptionKey.of("journal_sectors", OptionKey.Value.NUMBER);
        /** {@code interleave_sectors:<n>}. */
        public static final OptionKey INTERLEAVE_SECTORS = OptionKey.of("interleave_sectors", OptionKey.Value.NUMBER);
        /** {@code buffer_sectors:<n>}. */
        public static final OptionKey BUFFER_SECTORS = OptionKey.of("buffer_sectors", OptionKey.Value.NUMBER);
        /** {@code journal_watermark:<percent>}. */
        public static final OptionKey JOURNAL_WATERMARK = OptionKey.of("journal_watermark", OptionKey.Value.NUMBER);
        /** {@code commit_time:<ms>}. */
        public static final OptionKey COMMIT_TIME = OptionKey.of("commit_time", OptionKey.Value.NUMBER);
        /** {@code sectors_per_bit:<n>} (bitmap mode). */
        public static final OptionKey SECTORS_PER_BIT = OptionKey.of("sectors_per_bit", OptionKey.Value.NUMBER);
        /** {@code bitmap_flush_interval:<ms>} (bitmap mode). */
        public static final OptionKey BITMAP_FLUSH_INTERVAL = OptionKey.of("bitmap_flush_interval", OptionKey.Value.NUMBER);
        /** {@code fix_padding}. */
        public static final OptionKey FIX_PADDING = OptionKey.of("fix_padding", OptionKey.Value.NONE);
        /** {@code fix_hmac}. */
        public static final OptionKey FIX_HMAC = OptionKey.of("fix_hmac", OptionKey.Value.NONE);
        /** {@code legacy_recalculate}. */
        public static final OptionKey LEGACY_RECALCULATE = OptionKey.of("legacy_recalculate", OptionKey.Value.NONE);
        /** {@code internal_hash:<alg>[:<hex key>]}. */
        public static final OptionKey INTERNAL_HASH = OptionKey.of("internal_hash", OptionKey.Value.WORD);
        /** {@code journal_crypt:<alg>[:<hex key>]}. */
        public static final OptionKey JOURNAL_CRYPT = OptionKey.of("journal_crypt", OptionKey.Value.WORD);
        /** {@code journal_mac:<alg>[:<hex key>]}. */
        public static final OptionKey JOURNAL_MAC = OptionKey.of("journal_mac", OptionKey.Value.WORD);

        /** All of them, in the kernel's order. */
        static final List<OptionKey> ALL = List.of(META_DEVICE, BLOCK_SIZE, RECALCULATE, RESET_RECALCULATE,
                ALLOW_DISCARDS, JOURNAL_SECTORS, INTERLEAVE_SECTORS, BUFFER_SECTORS, JOURNAL_WATERMARK, COMMIT_TIME,
                SECTORS_PER_BIT, BITMAP_FLUSH_INTERVAL, FIX_PADDING, FIX_HMAC, LEGACY_RECALCULATE, INTERNAL_HASH,
                JOURNAL_CRYPT, JOURNAL_MAC);
    }

    /** Checks the fields; puts the options in the kernel's order. */
    public IntegrityTarget {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
        Checks.range(TYPE, "tag size", tagSize, 1, Integer.MAX_VALUE);
        Objects.requireNonNull(mode, "mode");
        options = Options.canonical(TYPE, Option.ALL, options);
        Checks.rule(mode != Mode.BITMAP || Options.has(options, Option.INTERNAL_HASH), TYPE, "mode",
                "bitmap mode needs an internal_hash");
    }

    static IntegrityTarget parse(Args args) {
        DeviceNumber device = args.device("device");
        Sectors offset = args.sectors("offset");
        int tagSize = (int) args.number("tag size", 1, Integer.MAX_VALUE);
        String m = args.word("mode");
        Mode mode = null;
        for (Mode candidate : Mode.values()) {
            if (m.length() == 1 && m.charAt(0) == candidate.letter) {
                mode = candidate;
            }
        }
        if (mode == null) {
            throw args.error("mode", "must be J, B, D or R, got '" + m + "'");
        }
        int words = args.count("option count", 64);
        return new IntegrityTarget(device, offset, tagSize, mode, Options.parse(args, words, Option.ALL, true));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(device).append(' ').append(offset.count()).append(' ')
                .append(tagSize).append(' ').append(mode.letter).append(' ').append(options.size());
        Options.append(s, options, true);
        return s.toString();
    }
}
