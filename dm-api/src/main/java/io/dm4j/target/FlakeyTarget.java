package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code flakey}: behaves like {@code linear} for {@code upSeconds}, then misbehaves for
 * {@code downSeconds}, and again. While down, reads fail, and writes fail, vanish or get a corrupt
 * byte depending on the features.
 *
 * @param device the underlying device
 * @param offset its first sector used
 * @param upSeconds seconds of normal behaviour per cycle
 * @param downSeconds seconds of misbehaviour per cycle
 * @param writes what happens to writes while down
 * @param corruptBioByte the byte to corrupt while down, if any
 */
public record FlakeyTarget(DeviceNumber device, Sectors offset, long upSeconds, long downSeconds, Writes writes,
        Optional<CorruptBioByte> corruptBioByte) implements Target {
    static final String TYPE = "flakey";

    /** What happens to writes while the device is down. */
    public enum Writes {
        /** They fail like reads. */
        FAIL,
        /** {@code drop_writes}: they are ignored but reported as done. */
        DROP,
        /** {@code error_writes}: they fail with an error, reads still work. */
        ERROR
    }

    /**
     * {@code corrupt_bio_byte <nth> <r|w> <value> <flags>}.
     *
     * @param nthByte the byte to change in each matching bio, counted from 1
     * @param writes true to corrupt writes ({@code w}), false for reads ({@code r})
     * @param value the value to write there, 0..255
     * @param bioFlags only bios with all these flags set are corrupted; 0 for all
     */
    public record CorruptBioByte(long nthByte, boolean writes, int value, long bioFlags) {
        /** Checks the ranges. */
        public CorruptBioByte {
            Checks.range(TYPE, "corrupt byte", nthByte, 1, 0xffffffffL);
            Checks.range(TYPE, "corrupt value", value, 0, 255);
            Checks.range(TYPE, "corrupt bio flags", bioFlags, 0, 0xffffffffL);
        }

        @Override
        public String toString() {
            return "corrupt_bio_byte " + nthByte + " " + (writes ? 'w' : 'r') + " " + value + " " + bioFlags;
        }
    }

    /** Checks the fields and the kernel's rules between them. */
    public FlakeyTarget {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(offset, "offset");
        Checks.range(TYPE, "up interval", upSeconds, 0, 0xffffffffL);
        Checks.range(TYPE, "down interval", downSeconds, 0, 0xffffffffL);
        Checks.rule(upSeconds + downSeconds > 0, TYPE, "intervals", "must not both be zero");
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(corruptBioByte, "corruptBioByte");
        Checks.rule(writes == Writes.FAIL || corruptBioByte.map(c -> !c.writes()).orElse(true), TYPE, "features",
                "drop_writes and error_writes cannot be combined with corrupting writes");
    }

    /** Up and down cycles without features: writes fail while down. */
    public FlakeyTarget(DeviceNumber device, Sectors offset, long upSeconds, long downSeconds) {
        this(device, offset, upSeconds, downSeconds, Writes.FAIL, Optional.empty());
    }

    static FlakeyTarget parse(Args args) {
        DeviceNumber device = args.device("device");
        Sectors offset = args.sectors("offset");
        long up = args.number("up interval");
        long down = args.number("down interval");
        int n = args.hasMore() ? args.count("feature count", 6) : 0;
        Writes writes = Writes.FAIL;
        Optional<CorruptBioByte> corrupt = Optional.empty();
        int left = n;
        if (left > 0 && ("drop_writes".equals(args.peek()) || "error_writes".equals(args.peek()))) {
            writes = args.word("feature").equals("drop_writes") ? Writes.DROP : Writes.ERROR;
            left--;
        }
        if (left > 0) {
            args.expect("feature", "corrupt_bio_byte");
            long nth = args.number("corrupt byte");
            String dir = args.word("corrupt direction");
            if (!dir.equals("r") && !dir.equals("w")) {
                throw args.error("corrupt direction", "must be r or w, got '" + dir + "'");
            }
            int value = (int) args.number("corrupt value", 0, 255);
            corrupt = Optional.of(new CorruptBioByte(nth, dir.equals("w"), value, args.number("corrupt bio flags")));
            left -= 5;
        }
        if (left != 0) {
            throw args.error("feature count", "does not match the features, got " + n);
        }
        return new FlakeyTarget(device, offset, up, down, writes, corrupt);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** With a space after every field, as the kernel prints it. */
    @Override
    public String params() {
        int n = (writes == Writes.FAIL ? 0 : 1) + (corruptBioByte.isPresent() ? 5 : 0);
        StringBuilder s = new StringBuilder().append(device).append(' ').append(offset.count()).append(' ')
                .append(upSeconds).append(' ').append(downSeconds).append(' ').append(n).append(' ');
        if (writes != Writes.FAIL) {
            s.append(writes == Writes.DROP ? "drop_writes " : "error_writes ");
        }
        corruptBioByte.ifPresent(c -> s.append(c).append(' '));
        return s.toString();
    }
}
