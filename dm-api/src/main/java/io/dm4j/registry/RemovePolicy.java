package io.dm4j.registry;

import java.time.Duration;

/**
 * How a remove waits: for Java holders, then for other processes that keep the device open
 * ({@code EBUSY}, e.g. a udev worker probing it), then for the device node to disappear.
 *
 * @param holderTimeout how long to wait for this program's holders and channels
 * @param busyTimeout how long to retry while the kernel answers {@code EBUSY}
 * @param deferOnBusy if still busy at the deadline, ask the kernel to remove it when the last
 *     opener closes, and wait for that within {@code nodeTimeout}
 * @param nodeTimeout how long to wait for {@code /dev/mapper/NAME} and sysfs entries to go
 */
public record RemovePolicy(Duration holderTimeout, Duration busyTimeout, boolean deferOnBusy, Duration nodeTimeout) {

    /** Checks the durations: present and not negative (a huge one means "wait as long as it takes"). */
    public RemovePolicy {
        check("holderTimeout", holderTimeout);
        check("busyTimeout", busyTimeout);
        check("nodeTimeout", nodeTimeout);
    }

    private static void check(String what, Duration d) {
        if (d == null || d.isNegative()) {
            throw new io.dm4j.InvalidArgumentException(what, "must be a duration of zero or more, got " + d);
        }
    }

    /** 30 s for holders, 5 s of EBUSY retries with backoff, no deferral, 10 s for the nodes. */
    public static RemovePolicy defaults() {
        return new RemovePolicy(Duration.ofSeconds(30), Duration.ofSeconds(5), false, Duration.ofSeconds(10));
    }

    /** How long a remove waits for the device to be gone: the node timeout after the busy window. */
    Duration goneTimeout() {
        try {
            return nodeTimeout.plus(busyTimeout);
        } catch (ArithmeticException beyondAnyClock) {
            return java.time.temporal.ChronoUnit.FOREVER.getDuration();
        }
    }

    /** The same policy with another holder timeout. */
    public RemovePolicy holderTimeout(Duration value) {
        return new RemovePolicy(value, busyTimeout, deferOnBusy, nodeTimeout);
    }

    /** The same policy with another EBUSY retry window. */
    public RemovePolicy busyTimeout(Duration value) {
        return new RemovePolicy(holderTimeout, value, deferOnBusy, nodeTimeout);
    }

    /** The same policy, deferring the remove when still busy at the deadline. */
    public RemovePolicy deferOnBusy(boolean value) {
        return new RemovePolicy(holderTimeout, busyTimeout, value, nodeTimeout);
    }
}
