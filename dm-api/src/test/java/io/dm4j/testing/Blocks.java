package io.dm4j.testing;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.zip.CRC32C;

/**
 * 4 KiB blocks that say what they are: a block written as version {@code v} of block {@code i}
 * holds a header (magic, {@code i}, {@code v}), bytes that follow from both, and a CRC32C of the
 * rest; so a read tells whether it is a block this test wrote, which one and which version, or a
 * torn or foreign block. A ledger keeps, per block, the last version whose write was acknowledged.
 */
public final class Blocks {
    /** Bytes per block. */
    public static final int SIZE = 4096;
    private static final long MAGIC = 0x646d346a626c6b31L; // "dm4jblk1"

    private final AtomicIntegerArray acknowledged;

    /** A ledger for {@code count} blocks, none written yet (version 0 means never written). */
    public Blocks(int count) {
        acknowledged = new AtomicIntegerArray(count);
    }

    /** How many blocks the ledger covers. */
    public int count() {
        return acknowledged.length();
    }

    /** Fills {@code b} (position 0, SIZE bytes) with version {@code version} of block {@code index}. */
    public static void fill(ByteBuffer b, int index, int version) {
        b.clear();
        b.putLong(MAGIC).putInt(index).putInt(version);
        Random r = new Random(((long) index << 32) ^ version);
        while (b.position() < SIZE - 8) {
            b.putLong(r.nextLong());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().flip());
        b.putLong(crc.getValue()).flip();
    }

    /**
     * What a block read back is.
     *
     * @return its version if it is an intact block {@code index} this test wrote, 0 if all zero
     * @throws AssertionError naming what is wrong otherwise
     */
    public static int versionOf(ByteBuffer b, int index) {
        b.clear();
        boolean zero = true;
        for (int i = 0; i < SIZE && zero; i += 8) {
            zero = b.getLong(i) == 0;
        }
        if (zero) {
            return 0;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(SIZE - 8));
        if (b.getLong(0) != MAGIC || crc.getValue() != b.getLong(SIZE - 8)) {
            throw new AssertionError("block " + index + " is torn or not written by this test");
        }
        if (b.getInt(8) != index) {
            throw new AssertionError("block " + index + " holds block " + b.getInt(8) + ": a misdirected write");
        }
        return b.getInt(12);
    }

    /** Records that the write of {@code version} of block {@code index} was acknowledged. */
    public void acknowledged(int index, int version) {
        acknowledged.set(index, version);
    }

    /** The last acknowledged version of a block, 0 if never written. */
    public int acknowledged(int index) {
        return acknowledged.get(index);
    }
}
