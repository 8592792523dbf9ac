package io.dm4j.target;

import java.util.List;
import java.util.Objects;

/**
 * {@code striped}: spreads the range over devices in chunks, round-robin. The target's length
 * must be a multiple of the chunk size times the number of stripes.
 *
 * @param chunkSize sectors written to one stripe before moving to the next
 * @param stripes the devices, each from an offset on
 */
public record StripedTarget(Sectors chunkSize, List<DeviceOffset> stripes) implements Target {
    static final String TYPE = "striped";

    /** Checks the chunk size and that there is at least one stripe. */
    public StripedTarget {
        Objects.requireNonNull(chunkSize, "chunkSize");
        Checks.rule(chunkSize.count() > 0 && chunkSize.count() <= 0xffffffffL, TYPE, "chunk size",
                "must be 1..4294967295 sectors, got " + chunkSize.count());
        stripes = Checks.list(TYPE, "stripes", stripes, 1);
    }

    static StripedTarget parse(Args args) {
        int n = args.count("stripe count", Integer.MAX_VALUE);
        Sectors chunk = args.sectors("chunk size");
        List<DeviceOffset> stripes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            stripes.add(DeviceOffset.parse(args, "stripe"));
        }
        return new StripedTarget(chunk, stripes);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(stripes.size()).append(' ').append(chunkSize.count());
        for (DeviceOffset stripe : stripes) {
            s.append(' ').append(stripe);
        }
        return s.toString();
    }

    /** The kernel's rule: the length splits evenly into stripes, and each stripe into chunks. */
    void checkLength(Sectors length) {
        long perStripe = length.count() / stripes.size();
        Checks.rule(length.count() % stripes.size() == 0 && perStripe % chunkSize.count() == 0, TYPE, "length",
                "must be a multiple of " + stripes.size() + " stripes x " + chunkSize.count()
                        + "-sector chunks, got " + length.count());
    }
}
