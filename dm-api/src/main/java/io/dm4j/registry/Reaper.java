package io.dm4j.registry;

import io.dm4j.OperationInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Destroys tables, and owns those that left their slot while holders remained ("retired"). A
 * table is destroyed only here, only once, and only when its holders have drained: right away
 * when it leaves its slot (after waiting, interruptibly, up to the destroy timeout), or at a later
 * fixed point (any load, resume, clear or remove, or the registry's close) once its holders are
 * gone.
 */
final class Reaper {
    private final Queue<Table> retired = new ConcurrentLinkedQueue<>();
    private final Duration destroyTimeout;
    /** True once the registry is closing: waits end early. */
    private final BooleanSupplier closing;

    Reaper(Duration destroyTimeout, BooleanSupplier closing) {
        this.destroyTimeout = destroyTimeout;
        this.closing = closing;
    }

    /** Destroys the retired tables whose holders are gone. Never blocks. */
    void reap() {
        for (Table t : retired) {
            if (t.holders.count() == 0 && retired.remove(t)) {
                t.destroy();
            }
        }
    }

    /**
     * Destroys a table that has just left its slot, once its holders are gone. If they outlast
     * the destroy timeout, or the wait is interrupted or the registry closes, the table stays
     * retired (no new holder can reach it) and the caller learns why.
     *
     * @param kernelChanged whether the operation already changed the kernel (it always has, for
     *     a table that left its slot because of it)
     */
    void detach(ManagedDevice d, Table t, String operation, boolean kernelChanged) throws java.io.IOException {
        if (t == null) {
            return;
        }
        t.holders.close();
        boolean drained;
        try {
            drained = awaitDrained(t.holders, t.tracked, deadline(destroyTimeout));
        } catch (InterruptedException e) {
            retired.add(t);
            throw new OperationInterruptedException(operation, d.name, kernelChanged,
                    "while waiting for the holders of the replaced table; it is destroyed once they close");
        }
        if (drained) {
            t.destroy();
            return;
        }
        retired.add(t);
        if (closing.getAsBoolean()) {
            throw new RegistryClosedException(d.name, kernelChanged);
        }
        throw timeout(d.name, operation, t.holders, t.tracked, kernelChanged);
    }

    /** Hands a table that left its slot to the retired list without waiting. */
    void retire(Table t) {
        if (t != null) {
            t.holders.close();
            retired.add(t);
        }
    }

    /** The retired tables of one device. */
    List<Table> retiredOf(ManagedDevice d) {
        List<Table> of = new ArrayList<>();
        for (Table t : retired) {
            if (t.device == d) {
                of.add(t);
            }
        }
        return of;
    }

    /**
     * The tables of a device that is gone leave their slots: each is destroyed now if unheld,
     * else retired until its holders close. Its tables already retired are reaped with the rest.
     * A retired table is destroyed only by whoever takes it out of the retired list, so two
     * fixed points never destroy it twice.
     */
    void release(List<Table> slotted) {
        for (Table t : slotted) {
            t.holders.close();
            if (t.holders.count() == 0) {
                t.destroy();
            } else {
                retired.add(t);
            }
        }
        reap();
    }

    /**
     * The registry's close: each device's tables (under its lock, after the operation in flight
     * ended) and every retired table are destroyed once their holders close, within the destroy
     * timeout. The ones still held then stay undestroyed.
     *
     * @return the first device whose holders stayed, or null
     */
    HoldersTimeoutException destroyAll(List<ManagedDevice> devices) throws OperationInterruptedException {
        HoldersTimeoutException held = null;
        long deadline = deadline(destroyTimeout);
        try {
            for (ManagedDevice d : devices) {
                d.lock.lockInterruptibly();
                try {
                    for (Table t : d.slotted()) {
                        if (!destroyAtClose(t, deadline) && held == null) {
                            held = timeout(d.name, "close", t.holders, t.tracked, false);
                        }
                    }
                    d.live = null;
                    d.inactive = null;
                    d.channels.close(); // no channel opens from now on; open ones stay the caller's
                } finally {
                    d.lock.unlock();
                }
            }
            for (Table t : retired) {
                if (retired.remove(t) && !destroyAtClose(t, deadline) && held == null) {
                    held = timeout(t.device.name, "close", t.holders, t.tracked, false);
                }
            }
        } catch (InterruptedException e) {
            throw new OperationInterruptedException("close", "(registry)", false,
                    "while waiting for holders; the tables still held are not destroyed");
        }
        return held;
    }

    /** Waits for the table's holders (the close's own wait: not ended by the closing it does). */
    private static boolean destroyAtClose(Table t, long deadline) throws InterruptedException {
        if (t.isDestroyed()) {
            return true;
        }
        t.holders.close();
        if (awaitDrained(t.holders, t.tracked, deadline, () -> false)) {
            t.destroy();
            return true;
        }
        return false;
    }

    /** The retired tables, for tests. */
    List<Table> retired() {
        return List.copyOf(retired);
    }

    /**
     * Waits until closed holders drain.
     *
     * @return false at the deadline, when the registry closes, or at once if the calling thread
     *     holds one of them itself (waiting would only time out)
     */
    boolean awaitDrained(Holders holders, HoldSet tracked, long deadline) throws InterruptedException {
        return awaitDrained(holders, tracked, deadline, closing);
    }

    /** {@link #awaitDrained(Holders, HoldSet, long)}, ending early when {@code stop} says so. */
    static boolean awaitDrained(Holders holders, HoldSet tracked, long deadline, BooleanSupplier stop)
            throws InterruptedException {
        return !heldByCaller(tracked) && holders.awaitDrained(deadline, stop);
    }

    /** The calling thread holds one of these itself (known only where holders are tracked). */
    static boolean heldByCaller(HoldSet tracked) {
        if (tracked != null) {
            for (Hold h : tracked.snapshot()) {
                if (h.heldBy(Thread.currentThread()) && !h.isReleased()) {
                    return true;
                }
            }
        }
        return false;
    }

    static HoldersTimeoutException timeout(String name, String operation, Holders holders, HoldSet tracked,
            boolean kernelChanged) {
        List<Holder> list = new ArrayList<>();
        if (tracked != null) {
            for (Hold h : tracked.snapshot()) {
                list.add(h.describe());
            }
        }
        return new HoldersTimeoutException(name, operation, holders.count(), list, kernelChanged);
    }

    /** A deadline {@code d} from now; durations too long for a nanosecond clock mean "never". */
    static long deadline(Duration d) {
        long now = System.nanoTime();
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 2;
        }
        return now + Math.min(nanos, Long.MAX_VALUE / 2);
    }
}
