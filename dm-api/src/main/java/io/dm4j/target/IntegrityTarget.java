package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Locale;
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
    public enum Option implements OptionKey {
        /** {@code meta_device:<dev>}: tags on a separate device. */
        META_DEVICE(Value.DEVICE),
        /** {@code block_size:<bytes>}. */
        BLOCK_SIZE(Value.NUMBER),
        /** {@code recalculate}: recompute tags in the background. */
        RECALCULATE(Value.NONE),
        /** {@code reset_recalculate}. */
        RESET_RECALCULATE(Value.NONE),
        /** {@code allow_discards}. */
        ALLOW_DISCARDS(Value.NONE),
        /** {@code journal_sectors:<n>}. */
        JOURNAL_SECTORS(Value.NUMBER),
        /** {@code interleave_sectors:<n>}. */
        INTERLEAVE_SECTORS(Value.NUMBER),
        /** {@code buffer_sectors:<n>}. */
        BUFFER_SECTORS(Value.NUMBER),
        /** {@code journal_watermark:<percent>}. */
        JOURNAL_WATERMARK(Value.NUMBER),
        /** {@code commit_time:<ms>}. */
        COMMIT_TIME(Value.NUMBER),
        /** {@code sectors_per_bit:<n>} (bitmap mode). */
        SECTORS_PER_BIT(Value.NUMBER),
        /** {@code bitmap_flush_interval:<ms>} (bitmap mode). */
        BITMAP_FLUSH_INTERVAL(Value.NUMBER),
        /** {@code fix_padding}. */
        FIX_PADDING(Value.NONE),
        /** {@code fix_hmac}. */
        FIX_HMAC(Value.NONE),
        /** {@code legacy_recalculate}. */
        LEGACY_RECALCULATE(Value.NONE),
        /** {@code internal_hash:<alg>[:<hex key>]}. */
        INTERNAL_HASH(Value.WORD),
        /** {@code journal_crypt:<alg>[:<hex key>]}. */
        JOURNAL_CRYPT(Value.WORD),
        /** {@code journal_mac:<alg>[:<hex key>]}. */
        JOURNAL_MAC(Value.WORD);

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

    /** Checks the fields; puts the options in the kernel's order. */
    public IntegrityTarget {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
        Checks.range(TYPE, "tag size", tagSize, 1, Integer.MAX_VALUE);
        Objects.requireNonNull(mode, "mode");
        options = Options.canonical(TYPE, Option.class, options);
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
        return new IntegrityTarget(device, offset, tagSize, mode, Options.parse(args, words, Option.class, true));
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
