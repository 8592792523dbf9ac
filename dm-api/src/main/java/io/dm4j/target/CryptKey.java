package io.dm4j.target;

import io.dm4j.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * A dm-crypt key, held off the Java heap (so the garbage collector never copies it) and zeroed by
 * {@link #close()}. It is never turned into a {@code String}: {@link #toString()} shows only the
 * size, and a table load writes its hex digits straight into the ioctl buffer.
 *
 * <pre>{@code
 * try (CryptKey key = CryptKey.random(64)) {
 *     dm.load("secret", Table.builder().append(size, CryptTarget.of("aes-xts-plain64", key, dev)).build());
 * }
 * }</pre>
 */
public final class CryptKey implements AutoCloseable {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ByteBuffer bytes;
    private volatile boolean closed;

    private CryptKey(int size) {
        this.bytes = ByteBuffer.allocateDirect(size);
    }

    /** A copy of {@code key}; the caller still owns, and should wipe, its array. */
    public static CryptKey copyOf(byte[] key) {
        checkSize(key.length);
        CryptKey k = new CryptKey(key.length);
        k.bytes.put(0, key);
        return k;
    }

    /**
     * The key written in hex, upper or lower case. Accepts any {@code CharSequence}, e.g. a
     * {@code CharBuffer} over a {@code char[]} that the caller then wipes.
     *
     * @throws InvalidArgumentException if it is empty, of odd length or not hex
     */
    public static CryptKey fromHex(CharSequence hex) {
        if (hex.length() % 2 != 0) {
            throw new InvalidArgumentException("crypt key", "must have an even number of hex digits, got "
                    + hex.length());
        }
        checkSize(hex.length() / 2);
        CryptKey k = new CryptKey(hex.length() / 2);
        for (int i = 0; i < hex.length() / 2; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                k.close();
                throw new InvalidArgumentException("crypt key", "must be hex digits only");
            }
            k.bytes.put(i, (byte) (hi << 4 | lo));
        }
        return k;
    }

    /** A new key of {@code size} bytes from {@link SecureRandom}. */
    public static CryptKey random(int size) {
        checkSize(size);
        byte[] b = new byte[size];
        try {
            new SecureRandom().nextBytes(b);
            return copyOf(b);
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    private static void checkSize(int size) {
        if (size < 1 || size > 1024) {
            throw new InvalidArgumentException("crypt key", "must be 1..1024 bytes, got " + size);
        }
    }

    /** The key's size in bytes. */
    public int size() {
        return bytes.capacity();
    }

    /** True once {@link #close()} has wiped the key. */
    public boolean isClosed() {
        return closed;
    }

    /** Writes the key as lower-case hex, two bytes per key byte, at {@code offset}. */
    void writeHex(byte[] out, int offset) {
        if (closed) {
            throw new IllegalStateException("the crypt key was closed (wiped)");
        }
        for (int i = 0; i < size(); i++) {
            int b = bytes.get(i) & 0xff;
            out[offset + 2 * i] = HEX[b >>> 4];
            out[offset + 2 * i + 1] = HEX[b & 0xf];
        }
    }

    /** Zeroes the key. Idempotent. */
    @Override
    public void close() {
        for (int i = 0; i < bytes.capacity(); i++) {
            bytes.put(i, (byte) 0);
        }
        closed = true;
    }

    /** Same size and bytes, compared in constant time. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CryptKey other) || other.size() != size()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < size(); i++) {
            diff |= bytes.get(i) ^ other.bytes.get(i);
        }
        return diff == 0 && closed == other.closed;
    }

    /** Depends on the size only, so that hashing reveals nothing of the key. */
    @Override
    public int hashCode() {
        return size();
    }

    /** {@code CryptKey[32 bytes]}: never the key itself. */
    @Override
    public String toString() {
        return "CryptKey[" + size() + " bytes" + (closed ? ", closed" : "") + "]";
    }
}
