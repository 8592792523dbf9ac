package io.dm4j.event;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.internal.access.DeviceMapperAccess;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Watches device-mapper on one platform thread of its own and tells listeners what happened, in
 * the kernel's order, without guessing. Kernel interface 4.37+.
 *
 * <p><b>{@link Mode#UEVENT}</b> (the default where the kernel's uevents reach this process): the
 * monitor listens to the kernel's block uevents ({@code NETLINK_KOBJECT_UEVENT}) for {@code dm-N}
 * add, change and remove, each with its sequence number, and to device-mapper's global event
 * counter (a {@code poll} on its own control descriptor) for table events and devices without a
 * table. A device is known by its number and its block device's {@code DISKSEQ}, which the kernel
 * never reuses: a remove followed by a create at the same minor is a {@link EventKind#REMOVED}
 * and a {@link EventKind#CREATED}, never a rename, and a device that lived between two looks is
 * still reported. Names come from a device list taken at a known point of the uevent order, or
 * from sysfs read when the uevent arrived; a device gone before either could be read has no name
 * in its events ({@link DeviceEvent#name()} is empty). Skipped sequence numbers and a receive
 * buffer overflow are reported as {@link EventKind#MAYBE_MISSED}. A device that never has a table
 * has no block device and no uevents: such devices are followed by the lists alone, so one created
 * and removed between two lists is not seen, and one removed and replaced at its minor by a device
 * of the same name that gets a table before the next list reads as the first getting its table.
 * A device without a table that gets one and a new name before the monitor looks is followed by its
 * uuid; without a uuid that is a {@link EventKind#REMOVED} and a {@link EventKind#CREATED}: give
 * devices uuids (as LVM does) to be followed through changes made faster than the monitor looks.
 * One seen without a table (a look between a create and its table load) that gets its table and is
 * gone before its block device can be named reads as its {@link EventKind#REMOVED} and the
 * {@link EventKind#CREATED} of an unnamed device at its number, whose removal follows: nothing
 * tells it from a device removed without a table and another made at its minor.
 *
 * <p><b>{@link Mode#POLL}</b> (no uevents: the kernel sends them only to network namespaces of the
 * initial user namespace, so not into a rootless container; or no netlink, no
 * sysfs; or forced): the monitor lists the devices each time the global event counter wakes it and
 * reports what changed. A name change at a device number is a rename only when sysfs shows the same
 * block device ({@code diskseq}) before and after; otherwise it is a removal and a creation. Two
 * lists cannot show what happened between them, so every round starts with a
 * {@link EventKind#MAYBE_MISSED} marker.
 *
 * <p>{@link #mode()} says which is active; it is logged once (logger {@code io.dm4j.event.EventMonitor}:
 * DEBUG, or INFO with the reason when uevents are unavailable). The system property
 * {@value #MODE_PROPERTY} ({@code uevent}, {@code poll}) forces a mode for {@link #start()}. If
 * uevents stop arriving while the kernel keeps numbering them, the monitor says so with a marker and
 * a WARNING and continues in {@link Mode#POLL}. Closing wakes the thread through an eventfd in the
 * same {@code poll} and stops it promptly.
 *
 * <pre>{@code
 * try (EventMonitor monitor = EventMonitor.start()) {
 *     monitor.subscribe("pool0", event -> reactTo(event)); // re-read the status: table events coalesce
 *     ...
 * }
 * }</pre>
 */
public final class EventMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventMonitor.class.getName());
    private static final DmVersion GLOBAL_EVENTS = new DmVersion(4, 37, 0);

    /** System property that forces the mode of {@link #start()}: {@code uevent} or {@code poll}. */
    public static final String MODE_PROPERTY = "dm4j.events";

    /** How long a round waits for uevents the kernel has numbered but not yet sent. */
    private static final int STRAGGLER_MILLIS = 50;
    /** Rounds in which the kernel numbered uevents and not one ever arrived: none will. */
    private static final int DEAF_ROUNDS = 2;
    private static final int INITIAL_ATTEMPTS = 20;

    /** How the monitor learns of changes. */
    public enum Mode {
        /** Kernel uevents in their order, and the global event counter: exact. */
        UEVENT,
        /** Device lists whenever the global event counter moves: may miss, and says so. */
        POLL
    }

    /** A listener and the device it follows; renames move it along. */
    private static final class Subscriber {
        volatile String device;
        volatile DeviceNumber number;
        final Consumer<DeviceEvent> listener;

        Subscriber(String device, Consumer<DeviceEvent> listener) {
            this.device = device;
            this.listener = listener;
        }

        boolean wants(DeviceEvent e) {
            String d = device;
            if (d == null || e.kind() == EventKind.MAYBE_MISSED) {
                return true;
            }
            boolean byName = e.name().map(d::equals).orElse(false) || e.uuid().map(d::equals).orElse(false)
                    || e.kind() == EventKind.RENAMED && e.previousName().map(d::equals).orElse(false);
            // An event without a name still concerns the device at the number it was last seen at.
            boolean byNumber = e.name().isEmpty() && e.device().isPresent() && e.device().get().equals(number);
            if (!byName && !byNumber) {
                return false;
            }
            if (e.kind() == EventKind.RENAMED && e.previousName().map(d::equals).orElse(false)) {
                device = e.name().orElse(d);
            }
            number = e.kind() == EventKind.REMOVED ? null : e.device().orElse(number);
            return true;
        }
    }

    private final DeviceMapper dm;
    private final Syscalls sys;
    private final int wakeFd;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Mode mode;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Guards the descriptors: the monitor's thread closes them when it ends, once. */
    private final Object descriptors = new Object();
    private boolean descriptorsClosed;
    private volatile Throwable failure;

    private volatile KernelUevents uevents;
    private UeventLedger ledger;
    private Map<DeviceNumber, Seen> listed;
    private final List<UeventLedger.Step> pending = new ArrayList<>();
    private int deafRounds;

    private EventMonitor(DeviceMapper dm, Syscalls sys, Optional<Mode> forced) throws IOException {
        this.dm = dm;
        this.sys = sys;
        DeviceMapperAccess.get().requireFeature(dm, DmCommand.DM_DEV_ARM_POLL, null, GLOBAL_EVENTS, "event monitoring");
        String why = forced.map(m -> "forced").orElse("");
        if (forced.orElse(Mode.UEVENT) == Mode.UEVENT) {
            try {
                uevents = KernelUevents.open(sys);
            } catch (IOException e) {
                if (forced.isPresent()) {
                    throw new IOException("event monitor: kernel uevents are unavailable here: " + e.getMessage(), e);
                }
                why = "kernel uevents are unavailable: " + e.getMessage();
            }
        }
        int wake = -1;
        try {
            wake = sys.eventfd(0, Syscalls.EFD_NONBLOCK);
            dm.armPoll();
            if (uevents != null) {
                mode = Mode.UEVENT;
                ledger = new UeventLedger(initialSnapshot());
            } else {
                mode = Mode.POLL;
                listed = snapshotWithDiskseq();
            }
        } catch (IOException | RuntimeException e) {
            if (wake >= 0) {
                sys.close(wake);
            }
            if (uevents != null) {
                uevents.close();
            }
            throw e;
        }
        this.wakeFd = wake;
        LOG.log(mode == Mode.POLL && !forced.isPresent() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                "dm4j: event monitor in " + mode + " mode" + (why.isEmpty() ? "" : " (" + why + ")"));
        this.thread = new Thread(this::run, "dm4j-event-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts a monitor on {@link DeviceMapper#CONTROL} with the best native backend, in
     * {@link Mode#UEVENT} where uevents work here (or as {@value #MODE_PROPERTY} says).
     */
    public static EventMonitor start() throws IOException {
        return start(DeviceMapper.CONTROL, Syscalls.get(), propertyMode());
    }

    /** Starts a monitor in the given mode; fails if it is {@link Mode#UEVENT} and uevents are unavailable. */
    public static EventMonitor start(Mode mode) throws IOException {
        return start(DeviceMapper.CONTROL, Syscalls.get(), Optional.of(mode));
    }

    /** Starts a monitor with its own descriptor on a control node, in the best mode available. */
    public static EventMonitor start(Path control, Syscalls sys) throws IOException {
        return start(control, sys, Optional.empty());
    }

    private static EventMonitor start(Path control, Syscalls sys, Optional<Mode> mode) throws IOException {
        // It only reads: it has no nodes to make, and must not make a control node either.
        DeviceMapper dm = DeviceMapper.open(control, sys, NodePolicy.NONE);
        try {
            return new EventMonitor(dm, sys, mode);
        } catch (IOException | RuntimeException e) {
            dm.close();
            throw e;
        }
    }

    private static Optional<Mode> propertyMode() {
        String p = System.getProperty(MODE_PROPERTY, "").trim();
        if (p.isEmpty() || p.equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Mode.valueOf(p.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + MODE_PROPERTY + "=" + p + ": expected uevent, poll or auto", e);
        }
    }

    /** How this monitor learns of changes now. */
    public Mode mode() {
        return mode;
    }

    /** Delivers every event, of every device, on the monitor's thread. */
    public AutoCloseable subscribe(Consumer<DeviceEvent> listener) {
        return subscribe(null, listener);
    }

    /**
     * Delivers the events of one device, named by its name or uuid, and every
     * {@link EventKind#MAYBE_MISSED} marker. A subscription by name follows the device through
     * renames.
     */
    public AutoCloseable subscribe(String nameOrUuid, Consumer<DeviceEvent> listener) {
        Subscriber s = new Subscriber(nameOrUuid, listener);
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    /** True while the monitor's thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * The books' starting point: a list taken while no uevent was numbered, so that every later
     * uevent is news and every earlier one is in the list.
     */
    private Map<DeviceNumber, Seen> initialSnapshot() throws IOException {
        for (int attempt = 1; ; attempt++) {
            pending.clear();
            uevents.drain(pending);
            long before = uevents.kernelSeqnum();
            Map<DeviceNumber, Seen> snapshot = snapshotWithDiskseq();
            long after = uevents.kernelSeqnum();
            if (before == after || attempt == INITIAL_ATTEMPTS) {
                if (before != after) {
                    // A busy machine: keep what the list says, but prove no identity with it.
                    snapshot.replaceAll((d, s) -> s.withDiskseq(0));
                }
                pending.clear();
                uevents.skipThrough(before);
                return snapshot;
            }
        }
    }

    private Map<DeviceNumber, Seen> snapshotWithDiskseq() throws IOException {
        Map<DeviceNumber, Seen> m = new HashMap<>();
        for (DeviceListEntry e : dm.list()) {
            m.put(e.device(), Seen.of(e, KernelUevents.diskseq(e.device(), e.name())));
        }
        return m;
    }

    private Map<DeviceNumber, Seen> list() throws IOException {
        Map<DeviceNumber, Seen> m = new HashMap<>();
        for (DeviceListEntry e : dm.list()) {
            m.put(e.device(), Seen.of(e, 0));
        }
        return m;
    }

    private void run() {
        int controlFd = DeviceMapperAccess.get().controlFd(dm);
        try {
            while (!closing.get()) {
                boolean uevent = mode == Mode.UEVENT;
                int[] fds = uevent ? new int[] {wakeFd, controlFd, uevents.fd()} : new int[] {wakeFd, controlFd};
                short[] events = uevent ? new short[] {Syscalls.POLLIN, Syscalls.POLLIN, Syscalls.POLLIN}
                        : new short[] {Syscalls.POLLIN, Syscalls.POLLIN};
                short[] got = new short[fds.length];
                try {
                    // Steps the last list could not place are settled by another list at once.
                    sys.poll(fds, events, got, uevent && !pending.isEmpty() ? 0 : -1);
                } catch (ErrnoException e) {
                    if (e.is(Errno.EINTR)) {
                        continue; // a signal (a profiler's, a debugger's): nothing happened
                    }
                    throw e;
                }
                if (closing.get() || got[0] != 0) {
                    return;
                }
                boolean counter = (got[1] & Syscalls.POLLIN) != 0;
                if (counter) {
                    dm.armPoll(); // first, so an event during the list wakes the next poll
                }
                if (uevent) {
                    uEventRound(counter);
                } else if (counter) {
                    pollRound();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing.get()) {
                failure = e;
                LOG.log(System.Logger.Level.ERROR, "dm4j: event monitor stopped", e);
                // Listeners hear it too: from here on they are told nothing.
                deliver(List.of(DeviceEvent.maybeMissed(Optional.empty(), OptionalLong.empty(),
                        "the event monitor stopped: " + e.getMessage())));
            }
        } finally {
            closeDescriptors();
        }
    }

    private void closeDescriptors() {
        synchronized (descriptors) {
            if (descriptorsClosed) {
                return;
            }
            descriptorsClosed = true;
            closeQuietly(() -> sys.close(wakeFd));
            KernelUevents u = uevents;
            if (u != null) {
                closeQuietly(u::close);
            }
            closeQuietly(dm::close);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void closeQuietly(IoAction close) {
        try {
            close.run();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "dm4j: event monitor: closing a descriptor failed", e);
        }
    }

    private void uEventRound(boolean counter) throws IOException {
        uevents.drain(pending);
        if (!counter && pending.isEmpty()) {
            return; // uevents of other devices only
        }
        long q0 = uevents.kernelSeqnum();
        Map<DeviceNumber, Seen> list = list();
        long q1 = uevents.kernelSeqnum();
        boolean all = uevents.drainThrough(q1, STRAGGLER_MILLIS, pending);
        List<UeventLedger.Step> steps = new ArrayList<>();
        Set<DeviceNumber> unsettled = new HashSet<>();
        for (Iterator<UeventLedger.Step> it = pending.iterator(); it.hasNext();) {
            UeventLedger.Step s = it.next();
            if (s.seq() <= q0) {
                steps.add(s);
                it.remove();
            } else if (s.seq() <= q1 && s instanceof UeventLedger.Arrival a) {
                unsettled.add(a.uevent().device());
            }
        }
        deliver(ledger.round(steps, list, unsettled));
        // Uevents of other network namespaces are numbered but never sent here: a gap, not deafness.
        deafRounds = all || uevents.received() > 0 ? 0 : deafRounds + 1;
        if (deafRounds >= DEAF_ROUNDS) {
            deaf(q1);
        }
    }

    /** Uevents are numbered but never arrive here: continue with lists, and say so. */
    private void deaf(long seq) throws IOException {
        String why = "the kernel numbered uevents up to " + seq + " but none reached this monitor"
                + " (a network namespace of another user namespace, e.g. a rootless container?):"
                + " continuing in POLL mode";
        LOG.log(System.Logger.Level.WARNING, "dm4j: event monitor: " + why);
        listed = new HashMap<>(ledger.known());
        pending.clear();
        uevents.close();
        uevents = null;
        mode = Mode.POLL;
        deliver(List.of(DeviceEvent.maybeMissed(Optional.empty(), OptionalLong.empty(), why)));
        pollRound();
    }

    private void pollRound() throws IOException {
        Map<DeviceNumber, Seen> now = snapshotWithDiskseq();
        List<DeviceEvent> events = new ArrayList<>();
        events.add(DeviceEvent.maybeMissed(Optional.empty(), OptionalLong.empty(),
                "poll mode: changes between two device lists are not seen"));
        events.addAll(PollDiff.diff(listed, now));
        listed = now;
        deliver(events);
    }

    private void deliver(List<DeviceEvent> events) {
        for (DeviceEvent e : events) {
            for (Subscriber s : subscribers) {
                if (s.wants(e)) {
                    try {
                        s.listener.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.log(System.Logger.Level.WARNING, "dm4j: an event listener failed on " + e, ex);
                    }
                }
            }
        }
    }

    /** Why the monitor's thread stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Stops the thread (it wakes at once), which closes the monitor's descriptors as it ends; waits
     * for it (not when called from a listener, on that thread).
     */
    @Override
    public void close() throws IOException {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        synchronized (descriptors) {
            if (!descriptorsClosed) {
                ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
                sys.write(wakeFd, one);
            }
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
