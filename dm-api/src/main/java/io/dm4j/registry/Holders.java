package io.dm4j.registry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A count of temporary holders that can be closed to new ones: the kernel's
 * {@code table->holders} for one table (or one device's channels), without its polling.
 *
 * <p>The state packs the count with a CLOSED bit, so that taking a hold and closing are ordered
 * by one atomic word: every {@link #tryAcquire} either succeeds before {@link #close} (and the
 * closer waits for it) or fails. {@link #release} only decrements and, when it drops the last
 * hold of a closed counter, unparks the waiting closer: it never blocks and never destroys.
 */
final class Holders {
    private static final int CLOSED = 1 << 30;
    private static final int COUNT = CLOSED - 1;

    private final AtomicInteger state = new AtomicInteger();
    private volatile Thread waiter;

    /** Takes a hold, unless closed. */
    boolean tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if ((s & COUNT) == COUNT) {
                throw new IllegalStateException("too many holders");
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Drops a hold; wakes the closer if this was the last one. */
    void release() {
        int s = state.decrementAndGet();
        if (s == CLOSED) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Refuses new holds from now on. */
    void close() {
        int s;
        do {
            s = state.get();
        } while (!state.compareAndSet(s, s | CLOSED));
    }

    /** Accepts holds again: a destroy that gave up leaves the table usable. */
    void reopen() {
        int s;
        do {
            s = state.get();
        } while (!state.compareAndSet(s, s & ~CLOSED));
    }

    /** Current number of holds. */
    int count() {
        return state.get() & COUNT;
    }

    /**
     * Waits, by blocking notification, until a closed counter has no holds. Only the thread that
     * holds the owning device's lock waits (every destroy, remove and close takes it first), so
     * one waiter field is enough.
     *
     * @param stop checked at every wake-up: true ends the wait early (the registry is closing)
     * @return true if drained, false if the deadline passed or {@code stop} said so first
     * @throws InterruptedException if the thread was interrupted; its status is then cleared, as
     *     the convention goes, and the caller sets it again
     */
    boolean awaitDrained(long deadlineNanos, java.util.function.BooleanSupplier stop) throws InterruptedException {
        waiter = Thread.currentThread();
        try {
            while ((state.get() & COUNT) != 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || stop.getAsBoolean()) {
                    return false;
                }
                // A release unparks at once; the slice bounds how late a stop (a close) is seen.
                LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            waiter = null;
        }
    }

    /** {@link #awaitDrained(long, java.util.function.BooleanSupplier)} until the deadline only. */
    boolean awaitDrained(long deadlineNanos) throws InterruptedException {
        return awaitDrained(deadlineNanos, () -> false);
    }

    /** Wakes the waiter, if any, so that it looks at its stop condition again. */
    void wake() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }
}
