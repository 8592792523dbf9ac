package io.dm4j.registry;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one holder reference, kept apart from the {@link TableRef} or
 * {@link DeviceChannel} that users see, so that it can serve as the leak detector's cleaning
 * action when they become unreachable unclosed.
 */
final class Hold implements Runnable {
    private static final System.Logger LOG = System.getLogger(TableRegistry.class.getName());
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Hold.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Holders counter;
    private final HoldSet tracked;
    private final int slot;
    private final String kind;
    private final String device;
    private final Thread thread;
    private final long since;
    private final Throwable stack;
    private final Closeable resource;
    @SuppressWarnings("unused") // through RELEASED
    private volatile int released;

    /**
     * @param tracked where the registry lists live holds, or null when it only counts
     * @param kind what is held, e.g. {@code "live table"}: a constant, so acquiring builds no text
     * @param resource closed before the hold is released (a channel's file), or null
     */
    Hold(Holders counter, HoldSet tracked, HolderTracking tracking, String kind, String device, Closeable resource) {
        this.counter = counter;
        this.tracked = tracked;
        this.kind = kind;
        this.device = device;
        this.resource = resource;
        if (tracking == HolderTracking.COUNT) {
            this.thread = null;
            this.since = 0;
            this.stack = null;
        } else {
            this.thread = Thread.currentThread();
            this.since = System.currentTimeMillis();
            this.stack = tracking == HolderTracking.STACKS ? new Throwable("acquired here") : null;
        }
        this.slot = tracked == null ? -1 : tracked.add(this);
    }

    boolean isReleased() {
        return released != 0;
    }

    /** Releases once; later calls do nothing. Never blocks, never destroys. */
    boolean release() throws IOException {
        if (!RELEASED.compareAndSet(this, 0, 1)) {
            return false;
        }
        try {
            if (resource != null) {
                resource.close();
            }
        } finally {
            if (tracked != null) {
                tracked.remove(this, slot);
            }
            counter.release();
        }
        return true;
    }

    /** The leak detector's action: runs when the user's handle became unreachable. */
    @Override
    public void run() {
        try {
            if (release()) {
                LOG.log(System.Logger.Level.WARNING, "dm4j: a reference to the " + what()
                        + " was never closed; released it now" + (stack == null ? "" : ". It was acquired here:"),
                        stack);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dm4j: releasing a leaked reference to the " + what() + " failed", e);
        }
    }

    Holder describe() {
        List<StackTraceElement> trace = stack == null ? List.of()
                : Arrays.asList(stack.getStackTrace()).subList(Math.min(2, stack.getStackTrace().length),
                        stack.getStackTrace().length);
        return new Holder(what(), thread == null ? "?" : thread.getName(), Instant.ofEpochMilli(since), trace);
    }

    private String what() {
        return kind + " of " + device;
    }

    boolean heldBy(Thread t) {
        return thread == t;
    }
}
