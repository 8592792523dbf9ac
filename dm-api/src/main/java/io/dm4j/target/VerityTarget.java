package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code verity}: a read-only device whose every block is checked against a hash tree (dm-verity).
 * The kernel loads it only into a read-only table ({@code LoadOption.READ_ONLY}).
 *
 * @param version the hash format: 0 (Chrome OS) or 1 (salt first)
 * @param dataDevice the device with the data
 * @param hashDevice the device with the hash tree
 * @param dataBlockSize the data block size: a power of two, 512 bytes or more
 * @param hashBlockSize the hash block size: a power of two, 512 bytes or more
 * @param dataBlocks the number of data blocks covered
 * @param hashStartBlock the hash tree's first block on the hash device, in hash blocks
 * @param algorithm the hash algorithm, e.g. {@code sha256}
 * @param rootDigest the root hash in lower-case hex
 * @param salt the salt in lower-case hex; empty for none ({@code -})
 * @param options optional arguments, keywords from {@link Option}
 */
public record VerityTarget(int version, DeviceNumber dataDevice, DeviceNumber hashDevice, Sectors dataBlockSize,
        Sectors hashBlockSize, long dataBlocks, long hashStartBlock, String algorithm, String rootDigest,
        Optional<String> salt, List<TargetOption> options) implements Target {
    static final String TYPE = "verity";

    private static final List<OptionKey> MODES = List.of(Option.IGNORE_CORRUPTION, Option.RESTART_ON_CORRUPTION,
            Option.PANIC_ON_CORRUPTION);
    private static final List<OptionKey> FEC = List.of(Option.USE_FEC_FROM_DEVICE, Option.FEC_BLOCKS, Option.FEC_START,
            Option.FEC_ROOTS);

    /** Verity's optional arguments, in the kernel's order. */
    public static final class Option {
        private Option() {}

        /** {@code ignore_corruption}: log corrupt blocks, return their data anyway. */
        public static final OptionKey IGNORE_CORRUPTION = OptionKey.of("ignore_corruption", OptionKey.Value.NONE);
        /** {@code restart_on_corruption}: restart the machine on a corrupt block. */
        public static final OptionKey RESTART_ON_CORRUPTION = OptionKey.of("restart_on_corruption", OptionKey.Value.NONE);
        /** {@code panic_on_corruption}: panic on a corrupt block. */
        public static final OptionKey PANIC_ON_CORRUPTION = OptionKey.of("panic_on_corruption", OptionKey.Value.NONE);
        /** {@code ignore_zero_blocks}: blocks hashed as zero read as zeros unverified. */
        public static final OptionKey IGNORE_ZERO_BLOCKS = OptionKey.of("ignore_zero_blocks", OptionKey.Value.NONE);
        /** {@code check_at_most_once}: verify each block once. */
        public static final OptionKey CHECK_AT_MOST_ONCE = OptionKey.of("check_at_most_once", OptionKey.Value.NONE);
        /** {@code try_verify_in_tasklet}. */
        public static final OptionKey TRY_VERIFY_IN_TASKLET = OptionKey.of("try_verify_in_tasklet", OptionKey.Value.NONE);
        /** {@code use_fec_from_device <dev>}: forward error correction data. */
        public static final OptionKey USE_FEC_FROM_DEVICE = OptionKey.of("use_fec_from_device", OptionKey.Value.DEVICE);
        /** {@code fec_blocks <n>}. */
        public static final OptionKey FEC_BLOCKS = OptionKey.of("fec_blocks", OptionKey.Value.NUMBER);
        /** {@code fec_start <n>}. */
        public static final OptionKey FEC_START = OptionKey.of("fec_start", OptionKey.Value.NUMBER);
        /** {@code fec_roots <n>}. */
        public static final OptionKey FEC_ROOTS = OptionKey.of("fec_roots", OptionKey.Value.NUMBER);
        /** {@code root_hash_sig_key_desc <desc>}: a signature of the root hash in the keyring. */
        public static final OptionKey ROOT_HASH_SIG_KEY_DESC = OptionKey.of("root_hash_sig_key_desc", OptionKey.Value.WORD);

        /** All of them, in the kernel's order. */
        static final List<OptionKey> ALL = List.of(IGNORE_CORRUPTION, RESTART_ON_CORRUPTION, PANIC_ON_CORRUPTION,
                IGNORE_ZERO_BLOCKS, CHECK_AT_MOST_ONCE, TRY_VERIFY_IN_TASKLET, USE_FEC_FROM_DEVICE, FEC_BLOCKS,
                FEC_START, FEC_ROOTS, ROOT_HASH_SIG_KEY_DESC);
    }

    /** Checks the fields and the kernel's rules between them; puts the options in the kernel's order. */
    public VerityTarget {
        Checks.range(TYPE, "version", version, 0, 1);
        Objects.requireNonNull(dataDevice, "dataDevice");
        Objects.requireNonNull(hashDevice, "hashDevice");
        checkBlockSize("data block size", dataBlockSize);
        checkBlockSize("hash block size", hashBlockSize);
        Checks.range(TYPE, "data blocks", dataBlocks, 0, Long.MAX_VALUE);
        Checks.range(TYPE, "hash start block", hashStartBlock, 0, Long.MAX_VALUE);
        Checks.word(TYPE, "algorithm", algorithm);
        checkHex("root digest", rootDigest);
        Objects.requireNonNull(salt, "salt");
        salt.ifPresent(s -> checkHex("salt", s));
        options = Options.canonical(TYPE, Option.ALL, options);
        List<TargetOption> opts = options;
        Checks.rule(MODES.stream().filter(m -> Options.has(opts, m)).count() <= 1, TYPE, "options",
                "may have only one of ignore_corruption, restart_on_corruption, panic_on_corruption");
        long fec = FEC.stream().filter(f -> Options.has(opts, f)).count();
        Checks.rule(fec == 0 || fec == FEC.size(), TYPE, "options",
                "need all of use_fec_from_device, fec_blocks, fec_start, fec_roots, or none");
    }

    private static void checkBlockSize(String field, Sectors size) {
        Checks.rule(size.isPowerOfTwo() && size.bytes() <= 1L << 30, TYPE, field,
                "must be a power of two of 512 bytes or more, got " + size.bytes());
    }

    private static void checkHex(String field, String hex) {
        Checks.rule(!hex.isEmpty() && hex.length() % 2 == 0 && hex.chars().allMatch(c -> (c >= '0' && c <= '9')
                || (c >= 'a' && c <= 'f')), TYPE, field, "must be lower-case hex digits, got '" + hex + "'");
    }

    static VerityTarget parse(Args args) {
        int version = (int) args.number("version", 0, 1);
        DeviceNumber data = args.device("data device");
        DeviceNumber hash = args.device("hash device");
        Sectors dataBlock = args.bytes("data block size");
        Sectors hashBlock = args.bytes("hash block size");
        long blocks = args.number("data blocks");
        long start = args.number("hash start block");
        String algorithm = args.word("algorithm");
        String digest = args.word("root digest");
        String salt = args.word("salt");
        int words = args.hasMore() ? args.count("option count", 64) : 0;
        return new VerityTarget(version, data, hash, dataBlock, hashBlock, blocks, start, algorithm, digest,
                salt.equals("-") ? Optional.empty() : Optional.of(salt), Options.parse(args, words, Option.ALL, false));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(version).append(' ').append(dataDevice).append(' ')
                .append(hashDevice).append(' ').append(dataBlockSize.bytes()).append(' ').append(hashBlockSize.bytes())
                .append(' ').append(dataBlocks).append(' ').append(hashStartBlock).append(' ').append(algorithm)
                .append(' ').append(rootDigest).append(' ').append(salt.orElse("-"));
        if (!options.isEmpty()) {
            s.append(' ').append(Options.words(options, false));
            Options.append(s, options, false);
        }
        return s.toString();
    }
}
