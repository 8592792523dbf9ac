package io.dm4j.registry;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
    private final Set<Hold> tracked;
    private final String what;
    private final Thread thread;
    private final long since;
    private final Throwable stack;
    private final Closeable resource;
    @SuppressWarnings("unused") // through RELEASED
    private volatile int released;

    /**
     * @param tracked where the registry lists live holds, or null when it only counts
     * @param resource closed before the hold is released (a channel's file), or null
     */
    Hold(Holders counter, Set<Hold> tracked, HolderTracking tracking, String what, Closeable resource) {
        this.counter = counter;
        this.tracked = tracked;
        this.what = what;
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
        if (tracked != null) {
            tracked.add(this);
        }
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
                tracked.remove(this);
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
                LOG.log(System.Logger.Level.WARNING, "dm4j: a reference to the " + what
                        + " was never closed; released it now" + (stack == null ? "" : ". It was acquired here:"),
                        stack);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dm4j: releasing a leaked reference to the " + what + " failed", e);
        }
    }

    Holder describe() {
        List<StackTraceElement> trace = stack == null ? List.of()
                : Arrays.asList(stack.getStackTrace()).subList(Math.min(2, stack.getStackTrace().length),
                        stack.getStackTrace().length);
        return new Holder(what, thread == null ? "?" : thread.getName(), Instant.ofEpochMilli(since), trace);
    }

    boolean heldBy(Thread t) {
        return thread == t;
    }
}
