package io.dm4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Reads and writes block devices with {@code O_DIRECT}, so that data really passes through the
 * device (and its targets) instead of the page cache. Offsets and lengths are multiples of 4 KiB.
 */
public final class BlockIo {
    private BlockIo() {}

    /** {@code O_DIRECT}: only the JDK-specific {@code ExtendedOpenOption} has it, looked up to avoid a build warning. */
    private static final OpenOption DIRECT = direct();

    private static OpenOption direct() {
        try {
            return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no O_DIRECT open option", e);
        }
    }

    /** The alignment of offsets, lengths and buffers. */
    public static final int ALIGN = 4096;

    /** Writes {@code data} at {@code offset} and flushes. */
    public static void write(Path device, long offset, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.WRITE, DIRECT)) {
            ByteBuffer b = aligned(data.length);
            b.put(data).flip();
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
            ch.force(true);
        }
    }

    /** Reads {@code length} bytes at {@code offset}. */
    public static byte[] read(Path device, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ, DIRECT)) {
            ByteBuffer b = aligned(length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new IOException("end of " + device + " at " + (offset + b.position()));
                }
            }
            byte[] out = new byte[length];
            b.flip().get(out);
            return out;
        }
    }

    /** Zeroes the first {@code length} bytes, e.g. to wipe a metadata superblock. */
    public static void zero(Path device, long length) throws IOException {
        write(device, 0, new byte[(int) length]);
    }

    /** Reproducible bytes that differ by seed. */
    public static byte[] pattern(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ByteBuffer aligned(int length) {
        return ByteBuffer.allocateDirect(length + ALIGN).alignedSlice(ALIGN).limit(length);
    }
}
