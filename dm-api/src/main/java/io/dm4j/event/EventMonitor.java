package io.dm4j.event;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.internal.access.DeviceMapperAccess;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches device-mapper for events (kernel interface 4.37+) on one platform thread: it records
 * every device's event number, {@code poll()}s its own control descriptor, and when that wakes,
 * re-arms the poll first, lists the devices again and reports the differences. Closing wakes the
 * thread through an eventfd in the same poll and stops it promptly.
 *
 * <pre>{@code
 * try (EventMonitor monitor = EventMonitor.start()) {
 *     monitor.subscribe("pool0", event -> reactTo(event)); // re-read the status: events coalesce
 *     ...
 * }
 * }</pre>
 */
public final class EventMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventMonitor.class.getName());
    private static final DmVersion GLOBAL_EVENTS = new DmVersion(4, 37, 0);

    /** A listener and the device it follows; renames move it along. */
    private static final class Subscriber {
        volatile String device;
        final Consumer<DeviceEvent> listener;

        Subscriber(String device, Consumer<DeviceEvent> listener) {
            this.device = device;
            this.listener = listener;
        }

        boolean wants(DeviceEvent e) {
            String d = device;
            if (d == null || d.equals(e.name()) || e.uuid().map(d::equals).orElse(false)) {
                return true;
            }
            if (e.kind() == EventKind.RENAMED && e.previousName().map(d::equals).orElse(false)) {
                device = e.name();
                return true;
            }
            return false;
        }
    }

    private final DeviceMapper dm;
    private final Syscalls sys;
    private final int wakeFd;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile Throwable failure;

    private EventMonitor(DeviceMapper dm, Syscalls sys) throws IOException {
        this.dm = dm;
        this.sys = sys;
        DeviceMapperAccess.get().requireFeature(dm, DmCommand.DM_DEV_ARM_POLL, null, GLOBAL_EVENTS, "event monitoring");
        this.wakeFd = sys.eventfd(0, Syscalls.EFD_NONBLOCK);
        Map<DeviceNumber, DeviceListEntry> initial = index(dm.list());
        dm.armPoll();
        this.thread = new Thread(() -> run(initial), "dm4j-event-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a monitor on {@link DeviceMapper#CONTROL} with the best native backend. */
    public static EventMonitor start() throws IOException {
        return start(DeviceMapper.CONTROL, Syscalls.get());
    }

    /** Starts a monitor with its own descriptor on a control node. */
    public static EventMonitor start(Path control, Syscalls sys) throws IOException {
        DeviceMapper dm = DeviceMapper.open(control, sys);
        try {
            return new EventMonitor(dm, sys);
        } catch (IOException | RuntimeException e) {
            dm.close();
            throw e;
        }
    }

    /** Delivers every event, of every device, on the monitor's thread. */
    public AutoCloseable subscribe(Consumer<DeviceEvent> listener) {
        return subscribe(null, listener);
    }

    /**
     * Delivers the events of one device, named by its name or uuid. A subscription by name
     * follows the device through renames.
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

    private void run(Map<DeviceNumber, DeviceListEntry> initial) {
        Map<DeviceNumber, DeviceListEntry> known = initial;
        int[] fds = {DeviceMapperAccess.get().controlFd(dm), wakeFd};
        short[] events = {Syscalls.POLLIN, Syscalls.POLLIN};
        short[] revents = new short[2];
        try {
            while (!closing) {
                sys.poll(fds, events, revents, -1);
                if (closing || revents[1] != 0) {
                    return;
                }
                if ((revents[0] & Syscalls.POLLIN) != 0) {
                    dm.armPoll(); // first, so an event during the list wakes the next poll
                    Map<DeviceNumber, DeviceListEntry> now = index(dm.list());
                    for (DeviceEvent e : diff(known, now)) {
                        deliver(e);
                    }
                    known = now;
                }
            }
        } catch (ErrnoException e) {
            if (!closing) {
                failure = e;
                LOG.log(System.Logger.Level.ERROR, "dm4j: event monitor stopped", e);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "dm4j: event monitor stopped", e);
        }
    }

    private static Map<DeviceNumber, DeviceListEntry> index(List<DeviceListEntry> list) {
        Map<DeviceNumber, DeviceListEntry> m = new HashMap<>();
        for (DeviceListEntry e : list) {
            m.put(e.device(), e);
        }
        return m;
    }

    /** The differences between two device lists, keyed by device number, which a rename keeps. */
    static List<DeviceEvent> diff(Map<DeviceNumber, DeviceListEntry> before, Map<DeviceNumber, DeviceListEntry> after) {
        List<DeviceEvent> events = new ArrayList<>();
        for (DeviceListEntry old : before.values()) {
            DeviceListEntry now = after.get(old.device());
            if (now == null || !now.uuid().equals(old.uuid()) && !now.name().equals(old.name())) {
                events.add(event(EventKind.REMOVED, old, Optional.empty()));
                if (now != null) {
                    events.add(event(EventKind.CREATED, now, Optional.empty()));
                }
                continue;
            }
            if (!now.name().equals(old.name())) {
                events.add(event(EventKind.RENAMED, now, Optional.of(old.name())));
            }
            if (now.eventNr().orElse(0) != old.eventNr().orElse(0)) {
                events.add(event(EventKind.TABLE_EVENT, now, Optional.empty()));
            }
        }
        for (DeviceListEntry now : after.values()) {
            if (!before.containsKey(now.device())) {
                events.add(event(EventKind.CREATED, now, Optional.empty()));
            }
        }
        return events;
    }

    private static DeviceEvent event(EventKind kind, DeviceListEntry e, Optional<String> previous) {
        return new DeviceEvent(kind, e.name(), e.uuid(), e.device(), e.eventNr().orElse(0), previous);
    }

    private void deliver(DeviceEvent e) {
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

    /** Why the monitor's thread stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops the thread (it wakes at once) and closes the monitor's descriptors. */
    @Override
    public void close() throws IOException {
        if (closing) {
            return;
        }
        closing = true;
        ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
        sys.write(wakeFd, one);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sys.close(wakeFd);
            dm.close();
        }
    }
}
