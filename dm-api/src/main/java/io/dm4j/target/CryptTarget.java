package io.dm4j.target;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code crypt}: transparent encryption of a device (dm-crypt).
 *
 * <p>The key is {@link Key.Inline} bytes in a {@link CryptKey}, a {@link Key.Keyring} reference to
 * a key in the kernel keyring, {@link Key.None} for ciphers without a key, or {@link Key.Hidden}
 * for a key read back from the kernel without asking to see it. {@link #params()} shows inline
 * key bytes as zeros, as {@code dmsetup table} does; loading the target through
 * {@code DeviceMapper.load(String, Table, ...)} sends the real key.
 *
 * @param cipher the cipher specification, e.g. {@code aes-xts-plain64} or {@code capi:xts(aes)-plain64}
 * @param key the key
 * @param ivOffset added to the sector number to make the IV
 * @param device the encrypted device
 * @param offset its first sector used
 * @param flags optional behaviour
 * @param sectorSize the encryption sector size: a power of two, 512..4096 bytes
 * @param integrity authenticated encryption over a dm-integrity device, if used
 */
public record CryptTarget(String cipher, Key key, Sectors ivOffset, DeviceNumber device, Sectors offset,
        Set<Flag> flags, Sectors sectorSize, Optional<Integrity> integrity) implements Target {
    static final String TYPE = "crypt";

    private static final Sectors DEFAULT_SECTOR = Sectors.ofBytes(512);

    /** How a crypt target gets its key. */
    public sealed interface Key {
        /**
         * Key bytes, sent to the kernel in hex.
         *
         * @param key the key; its owner closes it
         */
        record Inline(CryptKey key) implements Key {
            /** Checks that the key is given. */
            public Inline {
                Objects.requireNonNull(key, "key");
            }
        }

        /**
         * A key in the kernel keyring: {@code :size:type:description}.
         *
         * @param size the key's size in bytes
         * @param type the key type
         * @param description the key's description, e.g. {@code cryptsetup:vol0}
         */
        record Keyring(int size, KeyringType type, String description) implements Key {
            /** Checks the fields. */
            public Keyring {
                Checks.range(TYPE, "keyring key size", size, 1, 1024);
                Objects.requireNonNull(type, "type");
                Checks.word(TYPE, "keyring key description", description);
            }
        }

        /**
         * A key the kernel holds but that was not disclosed when the table was read. A table
         * with a hidden key cannot be loaded.
         *
         * @param size the key's size in bytes
         */
        record Hidden(int size) implements Key {
            /** Checks the size. */
            public Hidden {
                Checks.range(TYPE, "key size", size, 1, 1024);
            }
        }

        /** No key ({@code -}), for ciphers that take none, such as {@code cipher_null}. */
        record None() implements Key {}
    }

    /** Types of kernel keyring keys dm-crypt can use. */
    public enum KeyringType {
        /** {@code logon}: readable by the kernel only. */
        LOGON,
        /** {@code user}. */
        USER,
        /** {@code encrypted}. */
        ENCRYPTED,
        /** {@code trusted}. */
        TRUSTED;
    }

    /** Optional crypt features without a value, in the order the kernel prints them. */
    public enum Flag {
        /** {@code allow_discards}: pass discards down (reveals which blocks are unused). */
        ALLOW_DISCARDS,
        /** {@code same_cpu_crypt}: encrypt on the CPU that submitted the I/O. */
        SAME_CPU_CRYPT,
        /** {@code submit_from_crypt_cpus}: submit writes from the encryption threads. */
        SUBMIT_FROM_CRYPT_CPUS,
        /** {@code no_read_workqueue}: decrypt reads synchronously. */
        NO_READ_WORKQUEUE,
        /** {@code no_write_workqueue}: encrypt writes synchronously. */
        NO_WRITE_WORKQUEUE,
        /** {@code iv_large_sectors}: IVs count in {@code sector_size} units, not 512 bytes. */
        IV_LARGE_SECTORS;
    }

    /** The integrity profile of authenticated encryption. */
    public enum IntegrityProfile {
        /** {@code aead}: an authenticated cipher mode. */
        AEAD,
        /** {@code none}: tags only, no authentication by the cipher. */
        NONE
    }

    /**
     * {@code integrity:<tag size>:<profile>}.
     *
     * @param tagSize bytes of integrity tag per sector, 1..480
     * @param profile the profile
     */
    public record Integrity(int tagSize, IntegrityProfile profile) {
        /** Checks the fields. */
        public Integrity {
            Checks.range(TYPE, "integrity tag size", tagSize, 1, 480);
            Objects.requireNonNull(profile, "profile");
        }

        @Override
        public String toString() {
            return "integrity:" + tagSize + ":" + Args.keyword(profile);
        }
    }

    /** Checks the fields and the kernel's rules between them. */
    public CryptTarget {
        Checks.word(TYPE, "cipher", cipher);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ivOffset, "ivOffset");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        Objects.requireNonNull(integrity, "integrity");
        Checks.rule(sectorSize.isPowerOfTwo() && sectorSize.bytes() >= 512 && sectorSize.bytes() <= 4096, TYPE,
                "sector size", "must be a power of two of 512..4096 bytes, got " + sectorSize.bytes());
        Checks.rule(ivOffset.count() % sectorSize.count() == 0, TYPE, "IV offset",
                "must be a multiple of the sector size (" + sectorSize.count() + " sectors), got " + ivOffset.count());
    }

    /** A target with the defaults: IV offset 0, from sector 0 of the device, 512-byte sectors, no flags. */
    public static CryptTarget of(String cipher, CryptKey key, DeviceNumber device) {
        return new CryptTarget(cipher, new Key.Inline(key), Sectors.ZERO, device, Sectors.ZERO, Set.of(),
                DEFAULT_SECTOR, Optional.empty());
    }

    /** The same target with another key. */
    public CryptTarget withKey(Key newKey) {
        return new CryptTarget(cipher, newKey, ivOffset, device, offset, flags, sectorSize, integrity);
    }

    /** The same target with these flags. */
    public CryptTarget withFlags(Set<Flag> newFlags) {
        return new CryptTarget(cipher, key, ivOffset, device, offset, newFlags, sectorSize, integrity);
    }

    /** The same target with another encryption sector size. */
    public CryptTarget withSectorSize(Sectors newSectorSize) {
        return new CryptTarget(cipher, key, ivOffset, device, offset, flags, newSectorSize, integrity);
    }

    static CryptTarget parse(Args args) {
        String cipher = args.word("cipher");
        Key key = parseKey(args, args.word("key"));
        Sectors ivOffset = args.sectors("IV offset");
        DeviceNumber device = args.device("device");
        Sectors offset = args.sectors("offset");
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        Sectors sectorSize = DEFAULT_SECTOR;
        Optional<Integrity> integrity = Optional.empty();
        int n = args.hasMore() ? args.count("feature count", 8) : 0;
        for (int i = 0; i < n; i++) {
            String f = args.word("feature");
            if (f.startsWith("sector_size:")) {
                sectorSize = Sectors.ofBytes(canonical(args, f, f.substring("sector_size:".length())));
            } else if (f.startsWith("integrity:")) {
                integrity = Optional.of(parseIntegrity(args, f));
            } else {
                Flag flag = flagOf(args, f);
                if (!flags.add(flag)) {
                    throw args.error("features", "repeat '" + f + "'");
                }
            }
        }
        try {
            return new CryptTarget(cipher, key, ivOffset, device, offset, flags, sectorSize, integrity);
        } catch (RuntimeException e) {
            if (key instanceof Key.Inline inline) {
                inline.key().close();
            }
            throw e;
        }
    }

    private static Key parseKey(Args args, String word) {
        if (word.equals("-")) {
            return new Key.None();
        }
        if (word.startsWith(":")) {
            String[] parts = word.split(":", 4);
            if (parts.length != 4) {
                throw args.error("keyring key", "must be :size:type:description");
            }
            long size = canonical(args, word, parts[1]);
            KeyringType type = Args.find(KeyringType.class, parts[2]);
            if (type == null) {
                throw args.error("keyring key type", "must be logon, user, encrypted or trusted, got '" + parts[2] + "'");
            }
            return new Key.Keyring((int) Math.min(size, Integer.MAX_VALUE), type, parts[3]);
        }
        try {
            return new Key.Inline(CryptKey.fromHex(word));
        } catch (InvalidArgumentException e) {
            throw args.error("key", "must be '-', a keyring reference or hex digits");
        }
    }

    private static Integrity parseIntegrity(Args args, String f) {
        String[] parts = f.split(":", -1);
        if (parts.length != 3) {
            throw args.error("integrity feature", "must be integrity:<tag size>:<aead|none>, got '" + f + "'");
        }
        IntegrityProfile p = Args.find(IntegrityProfile.class, parts[2]);
        if (p == null) {
            throw args.error("integrity profile", "must be aead or none, got '" + parts[2] + "'");
        }
        return new Integrity((int) Math.min(canonical(args, f, parts[1]), Integer.MAX_VALUE), p);
    }

    private static Flag flagOf(Args args, String f) {
        Flag flag = Args.find(Flag.class, f);
        if (flag == null) {
            throw args.error("feature", "unknown: '" + f + "'");
        }
        return flag;
    }

    private static long canonical(Args args, String word, String number) {
        long v = Args.canonicalNumber(number);
        if (v < 0) {
            throw args.error("feature", "has a malformed number: '" + word + "'");
        }
        return v;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The parameters, with inline key bytes shown as zeros. */
    @Override
    public String params() {
        byte[] text = encode(false);
        return new String(text, StandardCharsets.US_ASCII);
    }

    /**
     * The parameters exactly as the kernel takes them, inline key included, as ASCII bytes. The
     * caller must zero the array after use. {@code DeviceMapper.load(String, Table, ...)} uses it.
     *
     * @throws io.dm4j.InvalidTableException if the key is {@link Key.Hidden}
     * @throws IllegalStateException if the inline key was closed
     */
    public byte[] paramsWithKey() {
        if (key instanceof Key.Hidden) {
            throw new io.dm4j.InvalidTableException(TYPE + " key", "was not disclosed when the table was read: "
                    + "read it with KeyDisclosure.REVEALED or supply the key");
        }
        return encode(true);
    }

    /** The parameter text; the key's hex digits are written straight into the array. */
    private byte[] encode(boolean withKey) {
        String head = cipher + " ";
        StringBuilder tail = new StringBuilder().append(' ').append(ivOffset.count()).append(' ').append(device)
                .append(' ').append(offset.count());
        int n = flags.size() + (integrity.isPresent() ? 1 : 0) + (sectorSize.equals(DEFAULT_SECTOR) ? 0 : 1);
        if (n > 0) {
            tail.append(' ').append(n);
            for (Flag f : Flag.values()) {
                if (f != Flag.IV_LARGE_SECTORS && flags.contains(f)) {
                    tail.append(' ').append(Args.keyword(f));
                }
            }
            integrity.ifPresent(i -> tail.append(' ').append(i));
            if (!sectorSize.equals(DEFAULT_SECTOR)) {
                tail.append(" sector_size:").append(sectorSize.bytes());
            }
            if (flags.contains(Flag.IV_LARGE_SECTORS)) {
                tail.append(' ').append(Args.keyword(Flag.IV_LARGE_SECTORS));
            }
        }
        String keyText = keyText();
        int keyLength = keyText != null ? keyText.length() : 2 * keySize();
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + keyLength + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        if (keyText != null) {
            System.arraycopy(keyText.getBytes(StandardCharsets.UTF_8), 0, out, h.length, keyLength);
        } else if (withKey && key instanceof Key.Inline inline) {
            inline.key().writeHex(out, h.length);
        } else {
            java.util.Arrays.fill(out, h.length, h.length + keyLength, (byte) '0');
        }
        System.arraycopy(t, 0, out, h.length + keyLength, t.length);
        return out;
    }

    /** The key field when it holds no secret; null for key bytes. */
    private String keyText() {
        if (key instanceof Key.None) {
            return "-";
        }
        if (key instanceof Key.Keyring k) {
            return ":" + k.size() + ":" + Args.keyword(k.type()) + ":" + k.description();
        }
        return null;
    }

    private int keySize() {
        if (key instanceof Key.Inline inline) {
            return inline.key().size();
        }
        return ((Key.Hidden) key).size();
    }
}
