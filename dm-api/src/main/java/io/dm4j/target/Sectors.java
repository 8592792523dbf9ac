package io.dm4j.target;

import io.dm4j.InvalidArgumentException;

/**
 * A size or position in 512-byte sectors, the unit of device-mapper tables. Sizes that the kernel
 * takes in bytes (a crypt sector size, a verity block size) are {@code Sectors} too, made with
 * {@link #ofBytes} and printed with {@link #bytes()}, so a byte count and a sector count never mix.
 *
 * @param count the number of sectors, not negative
 */
public record Sectors(long count) implements Comparable<Sectors> {
    /** Bytes in a sector. */
    public static final int SIZE = 512;

    /** No sectors. */
    public static final Sectors ZERO = new Sectors(0);

    /** Checks the count. */
    public Sectors {
        if (count < 0) {
            throw new InvalidArgumentException("sectors", "must not be negative, got " + count);
        }
    }

    /** {@code count} sectors. */
    public static Sectors of(long count) {
        return count == 0 ? ZERO : new Sectors(count);
    }

    /**
     * The sectors of {@code bytes} bytes.
     *
     * @throws InvalidArgumentException if {@code bytes} is negative or not a multiple of 512
     */
    public static Sectors ofBytes(long bytes) {
        if (bytes < 0 || bytes % SIZE != 0) {
            throw new InvalidArgumentException("bytes", "must be a non-negative multiple of 512, got " + bytes);
        }
        return of(bytes / SIZE);
    }

    /** The size in bytes. */
    public long bytes() {
        try {
            return Math.multiplyExact(count, SIZE);
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException("sectors", count + " sectors do not fit in a byte count");
        }
    }

    /** This many sectors plus {@code other}. */
    public Sectors plus(Sectors other) {
        try {
            return of(Math.addExact(count, other.count));
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException("sectors", count + " + " + other.count + " overflows");
        }
    }

    /** True if this is a power of two sectors (zero is not). */
    boolean isPowerOfTwo() {
        return count > 0 && Long.bitCount(count) == 1;
    }

    @Override
    public int compareTo(Sectors other) {
        return Long.compare(count, other.count);
    }

    /** {@code "8 sectors"}. */
    @Override
    public String toString() {
        return count + (count == 1 ? " sector" : " sectors");
    }
}
