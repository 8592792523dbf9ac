package io.dm4j;

/**
 * The legacy disk geometry a device reports to {@code HDIO_GETGEO}.
 *
 * @param cylinders at most 65535
 * @param heads at most 255
 * @param sectorsPerTrack at most 255
 * @param start start sector
 */
public record Geometry(long cylinders, int heads, int sectorsPerTrack, long start) {
    /** Checks the kernel's ranges. */
    public Geometry {
        if (cylinders < 0 || cylinders > 65535) {
            throw new InvalidArgumentException("geometry cylinders", "must be 0..65535, got " + cylinders);
        }
        if (heads < 0 || heads > 255) {
            throw new InvalidArgumentException("geometry heads", "must be 0..255, got " + heads);
        }
        if (sectorsPerTrack < 0 || sectorsPerTrack > 255) {
            throw new InvalidArgumentException("geometry sectors", "must be 0..255, got " + sectorsPerTrack);
        }
        if (start < 0) {
            throw new InvalidArgumentException("geometry start", "must not be negative, got " + start);
        }
    }

    /** The string the kernel parses: {@code "cylinders heads sectors start"}. */
    String toKernelString() {
        return cylinders + " " + heads + " " + sectorsPerTrack + " " + start;
    }
}
