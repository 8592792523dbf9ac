package io.dm4j;

import io.dm4j.internal.access.DeviceMapperAccess;
import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.internal.ioctl.KeyMask;
import io.dm4j.internal.ioctl.Validation;
import io.dm4j.internal.kmsg.KernelLog;
import io.dm4j.internal.nodes.DeviceNodes;
import io.dm4j.internal.udev.UdevCookie;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import io.dm4j.target.CryptKey;
import io.dm4j.target.CryptTarget;
import io.dm4j.target.KeyDisclosure;
import io.dm4j.target.Table;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A client of the kernel's device-mapper, speaking its ioctl protocol on one control descriptor.
 * It covers all 18 control commands. Arguments are checked before any ioctl
 * ({@link InvalidArgumentException}); kernel failures raise typed {@link DeviceMapperException}s.
 * Thread-safe: each thread uses its own ioctl buffer.
 *
 * <pre>{@code
 * try (DeviceMapper dm = DeviceMapper.open()) {
 *     dm.create("vol0", CreateOptions.defaults());
 *     dm.load("vol0", List.of(new TargetLine(0, 2048, "linear", "7:0 0")));
 *     dm.resume("vol0");
 * }
 * }</pre>
 */
public final class DeviceMapper implements AutoCloseable {
    /** The control node's usual path. */
    public static final Path CONTROL = Path.of("/dev/mapper/control");
    /** How long a command waits for udev under {@link NodePolicy#UDEV} unless told otherwise. */
    public static final Duration DEFAULT_UDEV_TIMEOUT = Duration.ofSeconds(30);

    static final int DEFAULT_INITIAL_BUFFER = 16 * 1024;
    /** The smallest data_size a query sends: one page, the kernel's cheapest allocation. */
    static final int MIN_QUERY_SIZE = 4096;
    private static final System.Logger LOG = System.getLogger(DeviceMapper.class.getName());

    private static final DmVersion NOFLUSH = new DmVersion(4, 12, 0);
    private static final DmVersion QUERY_INACTIVE = new DmVersion(4, 16, 0);
    private static final DmVersion UUID_RENAME = new DmVersion(4, 19, 0);
    private static final DmVersion SECURE_DATA = new DmVersion(4, 20, 0);
    private static final DmVersion DEFERRED_REMOVE = new DmVersion(4, 27, 0);
    private static final DmVersion NAME_LIST_TRAILER = new DmVersion(4, 37, 0);
    private static final DmVersion IMA = new DmVersion(4, 45, 0);

    static {
        // The event monitor (io.dm4j.event) polls this client's descriptor and gates on its version.
        DeviceMapperAccess.set(new DeviceMapperAccess.Accessor() {
            @Override
            public int controlFd(DeviceMapper dm) {
                return dm.fd;
            }

            @Override
            public void requireFeature(DeviceMapper dm, DmCommand command, String device, DmVersion needed,
                    String feature) throws UnsupportedCommandException {
                dm.requireFeature(command, device, needed, feature);
            }
        });
    }

    private final Syscalls sys;
    private final int fd;
    private final int initialBuffer;
    private final DmVersion driverVersion;
    private final ThreadLocal<ByteBuffer> buffers;
    private final LongAdder ioctls = new LongAdder();
    /**
     * Per command, the data_size queries send (within their buffer, at least
     * {@link #MIN_QUERY_SIZE}): twice the largest reply so far, or, after a reply did not fit,
     * the whole buffer that it is retried in. Not the whole buffer every time: the kernel
     * allocates and copies in data_size bytes on every call, and wipes them twice more for
     * secure data, whatever the reply needs (a one-target status needs about 360 bytes).
     */
    private final AtomicIntegerArray querySizes = new AtomicIntegerArray(DmCommand.values().length);
    private final Path control;
    private final DeviceNodes nodes;
    private final Duration udevTimeout;
    private final List<Consumer<UdevSync>> udevListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private DeviceMapper(Syscalls sys, int fd, int initialBuffer, Path control, DeviceNodes nodes,
            Duration udevTimeout) throws IOException {
        this.sys = sys;
        this.fd = fd;
        this.control = control;
        this.nodes = nodes;
        this.udevTimeout = udevTimeout;
        this.initialBuffer = initialBuffer;
        this.buffers = ThreadLocal.withInitial(() -> allocate(initialBuffer));
        try {
            this.driverVersion = execute(DmCommand.DM_VERSION, null, Request.header(0), (b, h) -> h.version());
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Opens {@link #CONTROL} with the best available native backend. */
    public static DeviceMapper open() throws IOException {
        return open(CONTROL, Syscalls.get());
    }

    /** Opens a control node with the given native backend; device nodes by {@link NodePolicy#AUTO}. */
    public static DeviceMapper open(Path control, Syscalls sys) throws IOException {
        return open(control, sys, NodePolicy.AUTO);
    }

    /**
     * Opens a control node with the given native backend and policy for {@code /dev/mapper}
     * nodes. Under {@link NodePolicy#LIBRARY} a missing control node is made first.
     */
    public static DeviceMapper open(Path control, Syscalls sys, NodePolicy nodePolicy) throws IOException {
        return open(control, sys, nodePolicy, DEFAULT_UDEV_TIMEOUT);
    }

    /**
     * Opens a control node with the given native backend, node policy, and the longest time a
     * resume, remove or rename waits for udev under {@link NodePolicy#UDEV}. After that it returns
     * anyway, logs a warning and tells {@link #onUdevSync} listeners.
     */
    public static DeviceMapper open(Path control, Syscalls sys, NodePolicy nodePolicy, Duration udevTimeout)
            throws IOException {
        if (udevTimeout.isNegative()) {
            throw new InvalidArgumentException("udev timeout", "must not be negative, got " + udevTimeout);
        }
        return open(control, sys, DEFAULT_INITIAL_BUFFER, nodePolicy, udevTimeout);
    }

    /** Opens with a given first ioctl buffer size; tests use a tiny one to force buffer-full retries. */
    static DeviceMapper open(Path control, Syscalls sys, int initialBuffer) throws IOException {
        return open(control, sys, initialBuffer, NodePolicy.AUTO, DEFAULT_UDEV_TIMEOUT);
    }

    private static DeviceMapper open(Path control, Syscalls sys, int initialBuffer, NodePolicy nodePolicy,
            Duration udevTimeout) throws IOException {
        DeviceNodes nodes = new DeviceNodes(sys, DeviceNodes.MAPPER, nodePolicy);
        nodes.ensureControl(control);
        int fd;
        try {
            fd = sys.open(control.toString(), Syscalls.O_RDWR);
        } catch (ErrnoException e) {
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw new PermissionDeniedException(DmCommand.DM_VERSION, null, e.errnoValue(), e);
            }
            throw new DeviceMapperException(DmCommand.DM_VERSION, null, e.errnoValue(), e.is(Errno.ENOENT)
                    ? "no device-mapper control node at " + control
                            + ": load the dm-mod module (modprobe dm_mod), or run the program inside vm/run"
                    : "cannot open " + control, e);
        }
        return new DeviceMapper(sys, fd, Math.max(DmIoctl.SIZE, initialBuffer), control, nodes, udevTimeout);
    }

    /**
     * Checks a device name as every command does before any ioctl: 1..127 bytes of UTF-8, no
     * {@code '/'}, not {@code .}, {@code ..} or {@code control}, no NUL or other control
     * characters, no unpaired surrogates.
     *
     * @throws InvalidArgumentException naming the rule it breaks
     */
    public static void checkName(String name) {
        Validation.checkName(name);
    }

    /**
     * Checks a table as {@link #load(String, List, LoadOption...)} does before any ioctl: lines
     * contiguous from sector 0, and a request within dm4j's ioctl buffer limit (256 MiB).
     *
     * @throws InvalidTableException naming the rule it breaks
     */
    public static void checkTable(List<TargetLine> table) {
        Validation.checkTable(table);
    }

    /**
     * Checks a uuid as {@link #setUuid(String, String)} and {@link CreateOptions#uuid(String)} do
     * before any ioctl: 1..128 bytes of UTF-8, no NUL or other control characters.
     *
     * @throws InvalidArgumentException naming the rule it breaks
     */
    public static void checkUuid(String uuid) {
        Validation.checkUuid(uuid);
    }

    /**
     * Checks an event number as {@link #waitEvent} and {@link #awaitEvent} do before any ioctl:
     * the kernel's counters are 32 bits unsigned.
     *
     * @throws InvalidArgumentException naming the rule it breaks
     */
    public static void checkEventNr(long eventNr) {
        Validation.checkEventNr(eventNr);
    }

    /**
     * Checks a target message as {@link #message} does before any ioctl: non-empty text without
     * NUL that fits dm4j's largest ioctl buffer, to a sector that is not negative.
     *
     * @throws InvalidArgumentException naming the rule it breaks
     */
    public static void checkMessage(long sector, String text) {
        Validation.checkCString("message", text, 1, DmIoctl.MAX_BUFFER - DmIoctl.SIZE - DmIoctl.MSG_MESSAGE - 1);
        if (sector < 0) {
            throw new InvalidArgumentException("sector", "must not be negative, got " + sector);
        }
    }

    /** The interface version of the kernel's device-mapper driver, read when this client opened. */
    public DmVersion driverVersion() {
        return driverVersion;
    }

    /** Who makes {@code /dev/mapper} nodes for this client: {@link NodePolicy#AUTO} resolved. */
    public NodePolicy nodePolicy() {
        return nodes.policy();
    }

    /**
     * Calls {@code listener} after each resume, remove, rename or uuid change that waited for udev
     * (under {@link NodePolicy#UDEV}), on the thread that issued it, with how the wait ended: the
     * way to notice {@link UdevSync.Outcome#TIMED_OUT} besides the logged warning.
     *
     * @return closing it removes the listener
     */
    public AutoCloseable onUdevSync(Consumer<UdevSync> listener) {
        udevListeners.add(listener);
        return () -> udevListeners.remove(listener);
    }

    /**
     * Makes the {@code /dev/mapper} node of one device right, like {@code dmsetup mknodes NAME}:
     * present with the device's number if the device exists, absent if it does not. Only under
     * {@link NodePolicy#LIBRARY}; otherwise nothing to do.
     */
    public void mknodes(String name) throws IOException {
        Validation.checkName(name);
        if (nodes.policy() != NodePolicy.LIBRARY) {
            return;
        }
        try {
            nodes.present(name, info(name).device());
        } catch (DeviceNotFoundException gone) {
            nodes.removed(name);
        }
    }

    /**
     * Makes all of {@code /dev/mapper} right, like {@code dmsetup mknodes}: every device gets its
     * node, and the node of a device that no longer exists (left by a program that died between
     * its ioctl and its node change) is removed, after a look by name just before. Only under
     * {@link NodePolicy#LIBRARY}; otherwise nothing to do.
     */
    public void mknodes() throws IOException {
        if (nodes.policy() != NodePolicy.LIBRARY) {
            return;
        }
        Set<String> listed = new HashSet<>();
        for (DeviceListEntry e : list()) {
            listed.add(e.name());
            try {
                Validation.checkName(e.name());
                nodes.present(e.name(), e.device());
            } catch (InvalidArgumentException noNodeForIt) {
                // made by another tool with a name dm4j cannot make a node for: left as it is
            }
        }
        for (String name : nodes.blockNodeNames()) {
            if (listed.contains(name)) {
                continue; // made right above; only nodes without a listed device need a look
            }
            try {
                Validation.checkName(name);
            } catch (InvalidArgumentException notOurs) {
                continue; // no device can have that name: not a node device-mapper made
            }
            mknodes(name);
        }
    }

    /** The native backend in use: {@code ffm}, {@code jnr} or {@code jna}. */
    public String backend() {
        return sys.backend();
    }

    /** Issues {@code DM_VERSION} and returns the driver's interface version. */
    public DmVersion version() throws IOException {
        return execute(DmCommand.DM_VERSION, null, Request.header(0), (b, h) -> h.version());
    }

    // ---------------------------------------------------------------- devices

    /** Creates a device with no table and no uuid. */
    public DeviceInfo create(String name) throws IOException {
        return create(name, CreateOptions.defaults());
    }

    /**
     * Creates a device with no table. Its {@code /dev/mapper} node comes with the first
     * {@link #resume}, as with libdevmapper and udev: before that there is nothing to read.
     */
    public DeviceInfo create(String name, CreateOptions options) throws IOException {
        Validation.checkName(name);
        nodes.checkNodeName(name);
        int flags = options.minor().isPresent() ? DmIoctl.PERSISTENT_DEV_FLAG : 0;
        DeviceInfo info = execute(DmCommand.DM_DEV_CREATE, name, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_DEV_CREATE.minimumVersion(), DmIoctl.SIZE, flags, name,
                    options.uuid().orElse(null));
            if (options.minor().isPresent()) {
                b.putLong(DmIoctl.DEV, new DeviceNumber(0, options.minor().getAsInt()).encode());
            }
            return DmIoctl.SIZE;
        }, (b, h) -> h.toDeviceInfo());
        return info;
    }

    /**
     * Removes a device; fails with {@link DeviceBusyException} if it is open. Under
     * {@link NodePolicy#UDEV} it returns once udev has removed the nodes, or at the udev timeout.
     */
    public void remove(String name) throws IOException {
        Validation.checkName(name);
        try {
            // udev's rules skip remove events before they look at visibility flags.
            withUdev(DmCommand.DM_DEV_REMOVE, name, Visibility.PUBLIC, eventNr -> byName(DmCommand.DM_DEV_REMOVE,
                    name, 0, eventNr));
        } catch (DeviceBusyException e) {
            throw busyWithOpenCount(e, name);
        }
        nodes.removed(name);
    }

    /**
     * Removes a device, or, if it is open, schedules its removal for when the last opener
     * closes it.
     */
    public RemoveOutcome removeDeferred(String name) throws IOException {
        Validation.checkName(name);
        requireFeature(DmCommand.DM_DEV_REMOVE, name, DEFERRED_REMOVE, "deferred remove");
        DeviceInfo info = withUdev(DmCommand.DM_DEV_REMOVE, name, Visibility.PUBLIC,
                eventNr -> byName(DmCommand.DM_DEV_REMOVE, name, DmIoctl.DEFERRED_REMOVE, eventNr)).toDeviceInfo();
        if (info.flags().contains(DeviceFlag.DEFERRED_REMOVE)) {
            return RemoveOutcome.DEFERRED; // the node goes when a later look finds the device gone
        }
        nodes.removed(name);
        return RemoveOutcome.REMOVED;
    }

    /** Cancels a scheduled deferred remove. */
    public void cancelDeferredRemove(String name) throws IOException {
        requireFeature(DmCommand.DM_TARGET_MSG, name, DEFERRED_REMOVE, "deferred remove");
        message(name, 0, "@cancel_deferred_remove");
    }

    /**
     * Removes every device that is not open; open ones are left (or, deferred, scheduled).
     * This touches devices other programs own: use it only on a machine you control.
     */
    public void removeAll(boolean deferred) throws IOException {
        if (deferred) {
            requireFeature(DmCommand.DM_REMOVE_ALL, null, DEFERRED_REMOVE, "deferred remove");
        }
        int flags = deferred ? DmIoctl.DEFERRED_REMOVE : 0;
        List<DeviceListEntry> before = list();
        execute(DmCommand.DM_REMOVE_ALL, null, Request.header(flags), (b, h) -> null);
        List<String> left = list().stream().map(DeviceListEntry::name).toList();
        for (DeviceListEntry e : before) {
            if (!left.contains(e.name())) {
                nodes.removed(e.name());
            }
        }
    }

    /** Renames a {@link Visibility#PUBLIC} device. */
    public DeviceInfo rename(String name, String newName) throws IOException {
        return rename(name, newName, Visibility.PUBLIC);
    }

    /**
     * Renames a device. The kernel sends a change uevent, so under {@link NodePolicy#UDEV} this
     * waits for udev to move the links, at most the udev timeout.
     */
    public DeviceInfo rename(String name, String newName, Visibility visibility) throws IOException {
        Validation.checkName(name);
        Validation.checkName(newName);
        nodes.checkNodeName(newName);
        // The reply carries the status but still the old name.
        DeviceInfo info = renameOrSetUuid(name, newName, 0, visibility).withIdentity(newName, null);
        nodes.renamed(name, newName);
        return info;
    }

    /** Sets the uuid of a {@link Visibility#PUBLIC} device that has none. */
    public DeviceInfo setUuid(String name, String uuid) throws IOException {
        return setUuid(name, uuid, Visibility.PUBLIC);
    }

    /**
     * Sets the uuid of a device that has none (a uuid, once set, cannot change). Like a rename it
     * makes the kernel send a change uevent.
     */
    public DeviceInfo setUuid(String name, String uuid, Visibility visibility) throws IOException {
        Validation.checkName(name);
        Validation.checkUuid(uuid);
        requireFeature(DmCommand.DM_DEV_RENAME, name, UUID_RENAME, "setting a uuid");
        return renameOrSetUuid(name, uuid, DmIoctl.UUID_FLAG, visibility).withIdentity(name, uuid);
    }

    private DeviceInfo renameOrSetUuid(String name, String value, int flags, Visibility visibility)
            throws IOException {
        int size = DmIoctl.stringPayloadSize(value);
        return withUdev(DmCommand.DM_DEV_RENAME, name, visibility, eventNr -> execute(DmCommand.DM_DEV_RENAME, name,
                b -> {
                    DmIoctl.putHeader(b, DmCommand.DM_DEV_RENAME.minimumVersion(), size, flags, name, null);
                    b.putInt(DmIoctl.EVENT_NR, eventNr);
                    return DmIoctl.putStringPayload(b, value);
                }, (b, h) -> h)).toDeviceInfo();
    }

    /** Suspends a device: I/O queues until {@link #resume}. */
    public DeviceInfo suspend(String name, SuspendOption... options) throws IOException {
        Validation.checkName(name);
        int flags = DmIoctl.SUSPEND_FLAG;
        for (SuspendOption o : options) {
            if (o == SuspendOption.NO_FLUSH) {
                requireFeature(DmCommand.DM_DEV_SUSPEND, name, NOFLUSH, "suspend without flush");
            }
            flags |= o.flag;
        }
        return byName(DmCommand.DM_DEV_SUSPEND, name, flags);
    }

    /** Resumes a {@link Visibility#PUBLIC} device, first making a loaded inactive table live. */
    public DeviceInfo resume(String name) throws IOException {
        return resume(name, Visibility.PUBLIC);
    }

    /**
     * Resumes a device, first making a loaded inactive table live. Then its {@code /dev/mapper}
     * node is there: made by dm4j under {@link NodePolicy#LIBRARY}; under {@link NodePolicy#UDEV}
     * this waits for udev to make it, at most the udev timeout.
     */
    public DeviceInfo resume(String name, Visibility visibility) throws IOException {
        Validation.checkName(name);
        DeviceInfo info = withUdev(DmCommand.DM_DEV_SUSPEND, name, visibility,
                eventNr -> byName(DmCommand.DM_DEV_SUSPEND, name, 0, eventNr)).toDeviceInfo();
        nodes.present(name, info.device());
        return info;
    }

    /** The device's status header. */
    public DeviceInfo info(String name) throws IOException {
        Validation.checkName(name);
        return byName(DmCommand.DM_DEV_STATUS, name, 0);
    }

    /** All devices, with event numbers (4.37+) and uuids when the kernel reports them. */
    public List<DeviceListEntry> list() throws IOException {
        return list("", "");
    }

    /**
     * The devices whose name and uuid start with the given prefixes (empty matches all). Newer
     * kernels filter themselves; dm4j filters again so older ones give the same answer.
     */
    public List<DeviceListEntry> list(String namePrefix, String uuidPrefix) throws IOException {
        if (!namePrefix.isEmpty()) {
            Validation.checkIdentifier("name prefix", namePrefix, 0, DmIoctl.NAME_LEN - 1);
        }
        if (!uuidPrefix.isEmpty()) {
            Validation.checkIdentifier("uuid prefix", uuidPrefix, 0, DmIoctl.UUID_LEN - 1);
        }
        boolean trailer = driverVersion.atLeast(NAME_LIST_TRAILER);
        int flags = trailer ? DmIoctl.UUID_FLAG : 0;
        List<DeviceListEntry> all = execute(DmCommand.DM_LIST_DEVICES, null, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_LIST_DEVICES.minimumVersion(), querySize(DmCommand.DM_LIST_DEVICES, b), flags,
                    namePrefix.isEmpty() ? null : namePrefix, uuidPrefix.isEmpty() ? null : uuidPrefix);
            return DmIoctl.SIZE; // only the header: the rest of the buffer is for the reply
        }, (b, h) -> DmIoctl.readNameList(b, h, trailer));
        if (namePrefix.isEmpty() && uuidPrefix.isEmpty()) {
            return all;
        }
        return all.stream().filter(e -> e.name().startsWith(namePrefix)
                && (uuidPrefix.isEmpty() || e.uuid().orElse("").startsWith(uuidPrefix))).toList();
    }

    /**
     * Blocks until the device's event counter differs from {@code eventNr}, then returns its
     * status. Returns at once if it already differs.
     */
    public DeviceInfo waitEvent(String name, long eventNr) throws IOException {
        Validation.checkName(name);
        Validation.checkEventNr(eventNr);
        // Only the low 16 bits may be used with udev cookies; for a wait the whole counter is meant.
        return execute(DmCommand.DM_DEV_WAIT, name, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_DEV_WAIT.minimumVersion(), b.capacity(), 0, name, null);
            b.putInt(DmIoctl.EVENT_NR, (int) eventNr);
            return DmIoctl.SIZE; // only the header: the rest of the buffer is for the reply
        }, (b, h) -> h.toDeviceInfo());
    }

    /**
     * Waits until the device's event counter differs from {@code afterEventNr}, at most
     * {@code timeout}. On kernels with global events (4.37+) it polls a control descriptor of its
     * own, so it ends at the deadline and reacts to {@link Thread#interrupt} within 50 ms; on
     * older ones it blocks in {@code DM_DEV_WAIT} on a helper thread, which stays blocked until
     * the device's next event if the wait timed out.
     *
     * @return the device's status after the event, or empty on timeout
     */
    public Optional<DeviceInfo> awaitEvent(String name, long afterEventNr, Duration timeout)
            throws IOException {
        Validation.checkName(name);
        Validation.checkEventNr(afterEventNr);
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout", "must not be negative, got " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!driverVersion.atLeast(NAME_LIST_TRAILER)) {
            return awaitWithDevWait(name, afterEventNr, timeout);
        }
        try (DeviceMapper waiter = open(control, sys, initialBuffer, NodePolicy.NONE, udevTimeout)) {
            waiter.armPoll();
            DeviceInfo first = waiter.info(name);
            if (first.eventNr() != afterEventNr) {
                return Optional.of(first);
            }
            // Follow the device by its number, which a rename keeps.
            int[] fds = {waiter.fd};
            short[] events = {Syscalls.POLLIN};
            short[] revents = new short[1];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new OperationInterruptedException("awaitEvent", name, false, "while waiting for an event");
                }
                if (sys.poll(fds, events, revents, (int) Math.min(50, Math.max(1, left / 1_000_000))) == 0) {
                    continue;
                }
                waiter.armPoll();
                DeviceListEntry now = waiter.list().stream().filter(e -> e.device().equals(first.device()))
                        .findFirst().orElseThrow(() -> new DeviceNotFoundException(DmCommand.DM_DEV_STATUS, name,
                                Errno.ENXIO.number(), null));
                if (now.eventNr().orElse(afterEventNr) != afterEventNr) {
                    return Optional.of(waiter.info(now.name()));
                }
            }
        }
    }

    private Optional<DeviceInfo> awaitWithDevWait(String name, long afterEventNr, Duration timeout)
            throws IOException {
        java.util.concurrent.CompletableFuture<DeviceInfo> wait = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                wait.complete(waitEvent(name, afterEventNr));
            } catch (IOException | RuntimeException e) {
                wait.completeExceptionally(e);
            }
        }, "dm4j-wait-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return Optional.of(wait.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            throw new OperationInterruptedException("awaitEvent", name, false, "while waiting for an event");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    /** Sets the legacy geometry the device reports. */
    public void setGeometry(String name, Geometry geometry) throws IOException {
        Validation.checkName(name);
        String text = geometry.toKernelString();
        int size = DmIoctl.stringPayloadSize(text);
        execute(DmCommand.DM_DEV_SET_GEOMETRY, name, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_DEV_SET_GEOMETRY.minimumVersion(), size, 0, name, null);
            return DmIoctl.putStringPayload(b, text);
        }, (b, h) -> null);
    }

    // ---------------------------------------------------------------- tables

    /**
     * Loads a table into the device's inactive slot; {@link #resume} makes it live. Tables with
     * {@code crypt} or {@code integrity} lines, which can carry keys, are sent with
     * {@link LoadOption#SECURE_DATA}; a {@code verity} table must be loaded {@link LoadOption#READ_ONLY}.
     */
    public DeviceInfo load(String name, List<TargetLine> table, LoadOption... options) throws IOException {
        Validation.checkName(name);
        Validation.checkTable(table);
        List<DmIoctl.Line> lines = table.stream().map(DmIoctl.Line::of).toList();
        try {
            return loadLines(name, lines, options);
        } finally {
            lines.forEach(l -> Arrays.fill(l.params(), (byte) 0));
        }
    }

    /**
     * Loads a typed table into the device's inactive slot; {@link #resume} makes it live. Crypt key
     * bytes go from their {@link CryptKey}s straight into the ioctl buffer, which is wiped after
     * the call, and the kernel is asked to wipe its copies ({@link LoadOption#SECURE_DATA}). A
     * {@code verity} table must be loaded {@link LoadOption#READ_ONLY}.
     *
     * @throws InvalidTableException if a crypt key is {@link io.dm4j.target.CryptTarget.Key.Hidden hidden}
     */
    public DeviceInfo load(String name, Table table, LoadOption... options) throws IOException {
        Validation.checkName(name);
        List<DmIoctl.Line> lines = new ArrayList<>();
        try {
            for (Table.Entry e : table.entries()) {
                byte[] params = e.target() instanceof CryptTarget c ? c.paramsWithKey()
                        : e.target().params().getBytes(StandardCharsets.UTF_8);
                lines.add(new DmIoctl.Line(e.start().count(), e.length().count(), e.target().type(), params));
            }
            return loadLines(name, lines, options);
        } finally {
            lines.forEach(l -> Arrays.fill(l.params(), (byte) 0));
        }
    }

    private DeviceInfo loadLines(String name, List<DmIoctl.Line> table, LoadOption... options) throws IOException {
        int flags = 0;
        for (LoadOption o : options) {
            if (o == LoadOption.SECURE_DATA) {
                requireFeature(DmCommand.DM_TABLE_LOAD, name, SECURE_DATA, "secure data");
            }
            flags |= o.flag;
        }
        boolean keys = table.stream().anyMatch(l -> KeyMask.mayCarryKeys(l.type()));
        if (keys && driverVersion.atLeast(SECURE_DATA)) {
            flags |= DmIoctl.SECURE_DATA_FLAG;
        }
        if ((flags & DmIoctl.READONLY_FLAG) == 0 && table.stream().anyMatch(l -> l.type().equals("verity"))) {
            throw new InvalidTableException("verity table", "must be loaded read-only: pass LoadOption.READ_ONLY");
        }
        int f = flags;
        int size = DmIoctl.SIZE + DmIoctl.linesSize(table);
        try {
            return execute(DmCommand.DM_TABLE_LOAD, name, size, b -> {
                DmIoctl.putHeader(b, DmCommand.DM_TABLE_LOAD.minimumVersion(), size, f, name, null);
                b.putInt(DmIoctl.TARGET_COUNT, table.size());
                DmIoctl.putLines(b, DmIoctl.SIZE, table);
                return size;
            }, (b, h) -> h.toDeviceInfo());
        } catch (DeviceNotFoundException e) {
            // ENXIO also means a device the table references is missing; then the table is at fault.
            if (exists(name)) {
                throw new TableRejectedException(name, e.errnoValue(), tableText(table),
                        KernelLog.recentDeviceMapperLines(sys, 2.0), e);
            }
            throw e;
        } catch (DeviceMapperException e) {
            if (e.errno().orElse(null) == Errno.EINVAL) {
                throw new TableRejectedException(name, e.errnoValue(), tableText(table),
                        KernelLog.recentDeviceMapperLines(sys, 2.0), e);
            }
            throw e;
        }
    }

    private boolean exists(String name) throws IOException {
        try {
            info(name);
            return true;
        } catch (DeviceNotFoundException e) {
            return false;
        }
    }

    /** The table as text for an error message, keys hidden. */
    private static String tableText(List<DmIoctl.Line> table) {
        StringBuilder s = new StringBuilder();
        for (DmIoctl.Line l : table) {
            byte[] params = l.params().clone();
            KeyMask.mask(l.type(), params, params.length);
            s.append(s.length() == 0 ? "" : "\n").append(l.start()).append(' ').append(l.length()).append(' ')
                    .append(l.type()).append(params.length == 0 ? "" : " ").append(new String(params, StandardCharsets.UTF_8));
            Arrays.fill(params, (byte) 0);
        }
        return s.toString();
    }

    /** Drops the device's inactive table. */
    public DeviceInfo clear(String name) throws IOException {
        Validation.checkName(name);
        return byName(DmCommand.DM_TABLE_CLEAR, name, 0);
    }

    /** The device's live table, as the kernel reports it, keys hidden. */
    public List<TargetLine> table(String name) throws IOException {
        return table(name, TableSlot.LIVE);
    }

    /**
     * A table of the device, as the kernel reports it (devices as {@code major:minor}), with keys
     * hidden as {@code dmsetup table} hides them: each hex digit of a crypt key, or of an
     * integrity algorithm's key, reads {@code 0}. {@link #typedTable} can disclose crypt keys.
     */
    public List<TargetLine> table(String name, TableSlot slot) throws IOException {
        return tableQuery(DmCommand.DM_TABLE_STATUS, name, slot, tableFlags(), DmIoctl::readTable);
    }

    /**
     * A table of the device as typed targets (types dm4j does not type, or cannot read, as
     * {@link io.dm4j.target.RawTarget}s). With {@link KeyDisclosure#REVEALED} the crypt keys come
     * back as {@link CryptKey}s decoded straight from the reply, never through a {@code String}, and
     * the table should be closed to wipe them; with {@link KeyDisclosure#HIDDEN} they are
     * {@link io.dm4j.target.CryptTarget.Key.Hidden} and the table cannot be loaded again.
     */
    public Table typedTable(String name, TableSlot slot, KeyDisclosure keys) throws IOException {
        List<byte[]> raw = new ArrayList<>();
        try {
            List<TargetLine> lines = tableQuery(DmCommand.DM_TABLE_STATUS, name, slot, tableFlags(),
                    (b, h) -> DmIoctl.readTable(b, h, keys == KeyDisclosure.REVEALED ? raw : null));
            Table typed = Table.of(lines);
            List<Table.Entry> entries = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Table.Entry e = typed.entries().get(i);
                if (e.target() instanceof CryptTarget c && c.key() instanceof CryptTarget.Key.Inline parsed) {
                    parsed.key().close(); // the zeros of the hidden key
                    CryptTarget.Key key = keys == KeyDisclosure.REVEALED
                            ? new CryptTarget.Key.Inline(CryptKey.copyOf(raw.get(i)))
                            : new CryptTarget.Key.Hidden(parsed.key().size());
                    e = new Table.Entry(e.start(), e.length(), c.withKey(key));
                }
                entries.add(e);
            }
            return new Table(entries);
        } finally {
            raw.forEach(k -> {
                if (k != null) {
                    Arrays.fill(k, (byte) 0);
                }
            });
        }
    }

    /** Table reads may return keys: the kernel wipes its copy of the reply when asked to. */
    private int tableFlags() {
        return DmIoctl.STATUS_TABLE_FLAG | (driverVersion.atLeast(SECURE_DATA) ? DmIoctl.SECURE_DATA_FLAG : 0);
    }

    /** The status of each target of the live table. */
    public List<TargetStatus> status(String name) throws IOException {
        return status(name, TableSlot.LIVE, false);
    }

    /**
     * The status of each target of a table.
     *
     * @param noFlush ask targets not to commit metadata first (e.g. thin pools)
     */
    public List<TargetStatus> status(String name, TableSlot slot, boolean noFlush) throws IOException {
        if (noFlush) {
            requireFeature(DmCommand.DM_TABLE_STATUS, name, NOFLUSH, "status without flush");
        }
        return tableQuery(DmCommand.DM_TABLE_STATUS, name, slot, noFlush ? DmIoctl.NOFLUSH_FLAG : 0,
                DmIoctl::readStatus);
    }

    /** The devices a table uses. */
    public List<DeviceNumber> deps(String name, TableSlot slot) throws IOException {
        return tableQuery(DmCommand.DM_TABLE_DEPS, name, slot, 0, DmIoctl::readDeps);
    }

    /** The IMA measurement text of a table (interface 4.45+): its targets' texts, in table order. */
    public String imaMeasurement(String name, TableSlot slot) throws IOException {
        return imaMeasurements(name, slot, false).stream().map(TargetStatus::status).collect(Collectors.joining(""));
    }

    /**
     * What each target of a table reports for IMA (interface 4.45+), as {@code dmsetup measure}
     * prints it: each entry's {@link TargetStatus#status() status} is the target's measurement text,
     * empty for targets that measure nothing.
     *
     * @param noFlush passed to the kernel as {@link #status(String, TableSlot, boolean)} does
     */
    public List<TargetStatus> imaMeasurements(String name, TableSlot slot, boolean noFlush) throws IOException {
        requireFeature(DmCommand.DM_TABLE_STATUS, name, IMA, "IMA measurement");
        if (noFlush) {
            requireFeature(DmCommand.DM_TABLE_STATUS, name, NOFLUSH, "status without flush");
        }
        return tableQuery(DmCommand.DM_TABLE_STATUS, name, slot,
                DmIoctl.IMA_MEASUREMENT_FLAG | (noFlush ? DmIoctl.NOFLUSH_FLAG : 0), DmIoctl::readStatus);
    }

    /** Reads one table-related reply, asking for the inactive table when told to. */
    private <T> T tableQuery(DmCommand command, String name, TableSlot slot, int flags,
            Reply<T> decode) throws IOException {
        Validation.checkName(name);
        int f = flags;
        if (slot == TableSlot.INACTIVE) {
            requireFeature(command, name, QUERY_INACTIVE, "inactive table queries");
            f |= DmIoctl.QUERY_INACTIVE_TABLE_FLAG;
        }
        int all = f;
        return execute(command, name, b -> {
            DmIoctl.putHeader(b, command.minimumVersion(), querySize(command, b), all, name, null);
            return DmIoctl.SIZE; // only the header: the rest of the buffer is for the reply
        }, decode);
    }

    // ---------------------------------------------------------------- targets

    /** The target types the kernel has loaded. */
    public List<TargetVersion> targetVersions() throws IOException {
        return execute(DmCommand.DM_LIST_VERSIONS, null, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_LIST_VERSIONS.minimumVersion(), b.capacity(), 0, null, null);
            return DmIoctl.SIZE; // only the header: the rest of the buffer is for the reply
        }, DmIoctl::readVersions);
    }

    /**
     * One target type's version (interface 4.41+). Fails with {@code EINVAL} if the kernel has no
     * such target; it may load its module to answer.
     */
    public TargetVersion targetVersion(String type) throws IOException {
        Validation.checkCString("target type", type, 1, DmIoctl.MAX_TYPE_NAME - 1);
        List<TargetVersion> one = execute(DmCommand.DM_GET_TARGET_VERSION, type, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_GET_TARGET_VERSION.minimumVersion(), b.capacity(), 0, type, null);
            return DmIoctl.SIZE; // only the header: the rest of the buffer is for the reply
        }, DmIoctl::readVersions);
        if (one.size() != 1) {
            throw new DmProtocolException("DM_GET_TARGET_VERSION returned " + one.size() + " entries");
        }
        return one.get(0);
    }

    /**
     * Sends a message to the target at {@code sector}, or, with an {@code @} prefix, to
     * device-mapper itself.
     *
     * @return the target's reply, if it gave one
     */
    public Optional<String> message(String name, long sector, String text) throws IOException {
        Validation.checkName(name);
        checkMessage(sector, text);
        int size = DmIoctl.messageSize(text);
        // crypt's "key set <key>" carries a key: have the kernel wipe its copy.
        int flags = text.startsWith("key ") && driverVersion.atLeast(SECURE_DATA) ? DmIoctl.SECURE_DATA_FLAG : 0;
        return execute(DmCommand.DM_TARGET_MSG, name, size, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_TARGET_MSG.minimumVersion(), b.capacity(), flags, name, null);
            return DmIoctl.putMessage(b, sector, text);
        }, (b, h) -> h.has(DmIoctl.DATA_OUT_FLAG) ? DmIoctl.readStringPayload(b, h) : Optional.empty());
    }

    /**
     * Re-arms {@code poll()} on this client's control descriptor: it becomes readable again at the
     * next device-mapper event (interface 4.37+).
     */
    public void armPoll() throws IOException {
        execute(DmCommand.DM_DEV_ARM_POLL, null, Request.header(0), (b, h) -> null);
    }

    // ---------------------------------------------------------------- the ioctl funnel

    private DeviceInfo byName(DmCommand command, String name, int flags) throws IOException {
        return byName(command, name, flags, 0).toDeviceInfo();
    }

    private DmIoctl.Header byName(DmCommand command, String name, int flags, int eventNr) throws IOException {
        return execute(command, name, b -> {
            DmIoctl.putHeader(b, command.minimumVersion(), DmIoctl.SIZE, flags, name, null);
            b.putInt(DmIoctl.EVENT_NR, eventNr);
            return DmIoctl.SIZE;
        }, (b, h) -> h);
    }

    /** An ioctl that makes the kernel send a uevent, given the {@code event_nr} to carry. */
    @FunctionalInterface
    private interface UeventIoctl {
        DmIoctl.Header run(int eventNr) throws IOException;
    }

    /**
     * Issues a resume, remove or rename with the udev flags in {@code event_nr}, and under
     * {@link NodePolicy#UDEV} with a cookie, then waits for udev: only if the kernel did send a
     * uevent, at most the udev timeout. The cookie's semaphore is removed however this ends.
     */
    private DmIoctl.Header withUdev(DmCommand command, String name, Visibility visibility, UeventIoctl ioctl)
            throws IOException {
        int flags = UdevCookie.udevFlags(nodes.policy(), visibility);
        if (nodes.policy() != NodePolicy.UDEV) {
            return ioctl.run(UdevCookie.flagsOnly(flags));
        }
        long start = System.nanoTime();
        UdevCookie cookie;
        try {
            cookie = UdevCookie.create(sys, () -> ThreadLocalRandom.current().nextInt());
        } catch (ErrnoException e) {
            throw new DeviceMapperException(command, name, e.errnoValue(), "cannot make a udev cookie semaphore ("
                    + e.getMessage() + "); check the SysV semaphore limits in /proc/sys/kernel/sem and 'ipcs -s',"
                    + " or open with NodePolicy.LIBRARY", e);
        }
        try (cookie) {
            DmIoctl.Header reply = ioctl.run(cookie.eventNr(flags));
            UdevSync.Outcome outcome;
            try {
                outcome = reply.has(DmIoctl.UEVENT_GENERATED_FLAG) ? cookie.await(udevTimeout.toNanos())
                        : UdevSync.Outcome.NO_UEVENT;
            } catch (ErrnoException e) {
                throw new DeviceMapperException(command, name, e.errnoValue(),
                        "the command succeeded, but waiting for udev on its cookie failed", e);
            }
            report(new UdevSync(command, name, cookie.value(), outcome, Duration.ofNanos(System.nanoTime() - start)));
            if (outcome == UdevSync.Outcome.INTERRUPTED) {
                throw new OperationInterruptedException(command.toString(), name, true,
                        "while waiting for udev to finish the device's uevent; /dev/mapper may lag behind");
            }
            return reply;
        }
    }

    private void report(UdevSync sync) {
        if (sync.outcome() == UdevSync.Outcome.TIMED_OUT) {
            LOG.log(System.Logger.Level.WARNING, "dm4j: udev did not finish the uevent of {0} on {1} within {2}"
                    + " (cookie 0x{3}); the device is as the kernel reported, but its /dev/mapper link may lag"
                    + " behind. Is systemd-udevd running and keeping up ('udevadm settle')?", sync.command(),
                    sync.device(), udevTimeout, Integer.toHexString(sync.cookie()));
        }
        for (Consumer<UdevSync> listener : udevListeners) {
            try {
                listener.accept(sync);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "dm4j: a udev sync listener failed", e);
            }
        }
    }

    private DeviceBusyException busyWithOpenCount(DeviceBusyException e, String name) {
        int openCount = -1;
        try {
            openCount = info(name).openCount();
        } catch (IOException | RuntimeException ignored) {
            // The device may have gone meanwhile; the count is only a hint.
        }
        return new DeviceBusyException(e.command(), name, e.errnoValue(), openCount, e.getCause());
    }

    private void requireFeature(DmCommand command, String device, DmVersion needed, String feature)
            throws UnsupportedCommandException {
        if (!driverVersion.atLeast(needed)) {
            throw new UnsupportedCommandException(command, device, driverVersion, needed, feature);
        }
    }

    /**
     * Fills a zeroed request buffer (data_size in the header: what the kernel may use) and
     * returns the number of bytes it wrote, which the call wipes afterwards.
     */
    @FunctionalInterface
    private interface Request {
        int write(ByteBuffer buffer);

        /** A bare header with flags, for commands that address no device. */
        static Request header(int flags) {
            return b -> {
                DmIoctl.putHeader(b, new DmVersion(4, 0, 0), DmIoctl.SIZE, flags, null, null);
                return DmIoctl.SIZE;
            };
        }
    }

    /** Decodes a reply from its header and the buffer holding it. */
    @FunctionalInterface
    private interface Reply<T> {
        T decode(ByteBuffer buffer, DmIoctl.Header header);
    }

    /** The number of ioctls this client has issued; tests and benchmarks count retries with it. */
    long ioctlCount() {
        return ioctls.sum();
    }

    /**
     * The one funnel every command goes through: version gate, request encoding, the ioctl, errno
     * translation, and the retry with a doubled buffer when the kernel sets
     * {@code DM_BUFFER_FULL_FLAG}.
     */
    private <T> T execute(DmCommand command, String device, Request request, Reply<T> decode) throws IOException {
        return execute(command, device, DmIoctl.SIZE, request, decode);
    }

    /**
     * @param required bytes the request writes, so that the buffer holds them before writing
     */
    private <T> T execute(DmCommand command, String device, int required, Request request, Reply<T> decode)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("DeviceMapper is closed");
        }
        if (driverVersion != null && !driverVersion.atLeast(command.minimumVersion())) {
            throw new UnsupportedCommandException(command, device, driverVersion, command.minimumVersion(),
                    command.name());
        }
        // A thread's buffer is all zero between calls: each call wipes what it and the kernel
        // wrote, rather than the whole buffer up front (16 KiB and more per ioctl).
        ByteBuffer b = buffers.get();
        if (b.capacity() < required) {
            b = grow(required);
        }
        while (true) {
            int used = request.write(b);
            int sent = DmIoctl.dataSize(b);
            DmIoctl.Header h;
            try {
                ioctls.increment();
                if (DmIoctl.cannotBlock(command, b)) {
                    sys.ioctlNonBlocking(fd, DmIoctl.request(command), b);
                } else {
                    sys.ioctl(fd, DmIoctl.request(command), b);
                }
                h = DmIoctl.readHeader(b);
            } catch (ErrnoException e) {
                zero(b, used);
                throw DeviceMapperException.of(command, device, e);
            }
            if (!h.has(DmIoctl.BUFFER_FULL_FLAG)) {
                try {
                    return decode.decode(b, h);
                } finally {
                    zero(b, Math.max(used, Math.min(Math.max(h.dataSize(), 0), b.capacity())));
                    // On success the kernel's data_size is what the reply used.
                    raiseQuerySize(command, 2 * h.dataSize());
                }
            }
            zero(b, Math.max(used, Math.min(Math.max(h.dataSize(), 0), b.capacity())));
            if (sent < b.capacity()) {
                // A query sent less than its buffer (querySize): the next try sends all of it.
                raiseQuerySize(command, b.capacity());
                continue;
            }
            if (b.capacity() >= DmIoctl.MAX_BUFFER) {
                throw new DmProtocolException(command + " reply does not fit in " + DmIoctl.MAX_BUFFER + " bytes");
            }
            b = grow(b.capacity() * 2);
            raiseQuerySize(command, b.capacity());
        }
    }

    /** The data_size a query sends in {@code b} (see {@link #querySizes}). */
    private int querySize(DmCommand command, ByteBuffer b) {
        return Math.min(b.capacity(), Math.max(MIN_QUERY_SIZE, querySizes.get(command.ordinal())));
    }

    /**
     * Raises a command's query size to at least {@code size}. A plain read first: in the steady
     * state every call of every thread would otherwise write the same shared array.
     */
    private void raiseQuerySize(DmCommand command, int size) {
        int i = command.ordinal();
        if (size > querySizes.get(i)) {
            querySizes.accumulateAndGet(i, size, Math::max);
        }
    }

    /** Bigger buffers are kept per thread, so the next call of the same kind needs one ioctl. */
    private ByteBuffer grow(int atLeast) {
        int size = Math.max(initialBuffer, Integer.highestOneBit(atLeast - 1) << 1);
        ByteBuffer b = allocate(size);
        buffers.set(b);
        return b;
    }

    private static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    private static void zero(ByteBuffer b, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            b.putLong(i, 0L);
        }
        for (; i < length; i++) {
            b.put(i, (byte) 0);
        }
    }

    private void closeQuietly() {
        try {
            sys.close(fd);
        } catch (ErrnoException ignored) {
            // Closing after a failed open: the first error is the one to report.
        }
    }

    /** Closes the control descriptor. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                sys.close(fd);
            } catch (ErrnoException e) {
                throw new DeviceMapperException(DmCommand.DM_VERSION, null, e.errnoValue(),
                        "closing the control node", e);
            }
        }
    }
}
