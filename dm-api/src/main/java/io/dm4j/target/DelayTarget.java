package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code delay}: delays I/O by a fixed time; reads, writes and flushes may go to different devices
 * with different delays. The kernel reports back only the classes the table gave.
 *
 * @param read where reads go and their delay; writes and flushes too unless given
 * @param write where writes go, if not as reads; flushes too unless given
 * @param flush where flushes go, if not as writes (needs {@code write})
 */
public record DelayTarget(Route read, Optional<Route> write, Optional<Route> flush) implements Target {
    static final String TYPE = "delay";

    /**
     * One class of I/O: the device it goes to and its delay.
     *
     * @param device the device
     * @param offset its first sector used
     * @param delayMillis the delay in milliseconds
     */
    public record Route(DeviceNumber device, Sectors offset, long delayMillis) {
        /** Checks the fields. */
        public Route {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(offset, "offset");
            Checks.range(TYPE, "delay", delayMillis, 0, 0xffffffffL);
        }

        static Route parse(Args args, String what) {
            return new Route(args.device(what + " device"), args.sectors(what + " offset"), args.number(what + " delay"));
        }

        @Override
        public String toString() {
            return device + " " + offset.count() + " " + delayMillis;
        }
    }

    /** Checks that a flush route comes with a write route. */
    public DelayTarget {
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(flush, "flush");
        Checks.rule(flush.isEmpty() || write.isPresent(), TYPE, "flush", "needs a write route too");
    }

    /** All I/O to one device with one delay. */
    public DelayTarget(DeviceNumber device, Sectors offset, long delayMillis) {
        this(new Route(device, offset, delayMillis), Optional.empty(), Optional.empty());
    }

    static DelayTarget parse(Args args) {
        Route read = Route.parse(args, "read");
        Optional<Route> write = args.hasMore() ? Optional.of(Route.parse(args, "write")) : Optional.empty();
        Optional<Route> flush = args.hasMore() ? Optional.of(Route.parse(args, "flush")) : Optional.empty();
        return new DelayTarget(read, write, flush);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return read + write.map(w -> " " + w).orElse("") + flush.map(f -> " " + f).orElse("");
    }
}
