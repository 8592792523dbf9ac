package io.dm4j.registry;

import java.time.Instant;
import java.util.List;

/**
 * One holder reference, as a timed-out destroy or remove reports it.
 *
 * @param what what is held, e.g. {@code "live table of vol0"} or {@code "channel on vol0"}
 * @param thread the thread that took it
 * @param since when it was taken
 * @param acquiredAt where it was taken, when holder tracking records stacks; else empty
 */
public record Holder(String what, String thread, Instant since, List<StackTraceElement> acquiredAt) {
    @Override
    public String toString() {
        return what + " held by thread '" + thread + "' since " + since
                + (acquiredAt.isEmpty() ? "" : ", acquired at " + acquiredAt.get(0));
    }
}
