package io.dm4j.testkit;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.NodePolicy;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory device-mapper behind dm4j's {@link Syscalls} seam, for unit tests of code that uses
 * dm4j without root and without a kernel:
 *
 * <pre>{@code
 * SimulatedKernel kernel = SimulatedKernel.create();
 * DeviceNumber disk = kernel.addDisk("/dev/sim0", 2048 * 64);   // a 64 MiB block device
 * try (DeviceMapper dm = kernel.deviceMapper()) {
 *     dm.create("vol");
 *     dm.load("vol", List.of(new TargetLine(0, 2048, "linear", disk + " 0")));
 *     dm.resume("vol");
 * }
 * }</pre>
 *
 * <p>It answers the 18 {@code DM_*} ioctls on the control node with the kernel's rules, as
 * {@code drivers/md/dm-ioctl.c} applies them: the version check (the kernel's version is written
 * back even on failure), {@code data_size} bounds, lookup by uuid, name or device number, names
 * and uuids unique (EBUSY), persistent minors, event numbers (raised by a rename of a device with
 * a live table and by thin-pool messages that change it), open counts (holders from
 * {@link #openDevice}, plus one for every table that maps the device), live and inactive tables,
 * suspend and resume with the table swap, removal refused while open (EBUSY) or deferred until the
 * last close, {@code DM_BUFFER_FULL_FLAG} when the caller's buffer is too small, commands newer
 * than the simulated interface version refused (ENOTTY), global events for {@code poll} on the
 * control descriptor, and nothing but the version written back when a command fails.
 *
 * <p>Tables are checked as the kernel checks them (no gaps, the first target at 0, no empty
 * target, every device present and large enough) for {@code linear}, {@code striped},
 * {@code zero}, {@code error}, {@code thin-pool} (messages {@code create_thin},
 * {@code create_snap}, {@code delete}, {@code set_transaction_id}, {@code reserve_metadata_snap},
 * {@code release_metadata_snap}) and {@code thin}; {@link #addTargetType} adds a type that takes any
 * arguments and echoes them back. Status lines follow the kernel's formats for those types.
 *
 * <p>Faults: {@link #failNext} makes the next calls of a command fail with an errno after the
 * header checks, as a kernel refusal would; {@link #delay} makes a command take longer (the call
 * does not answer {@link Thread#interrupt}, like a real ioctl). {@link #calls} counts the ioctls
 * each command received, for tests that count round trips.
 *
 * <p>Documented limitations, where a real kernel differs (the contract suite in dm4j's build runs
 * the same cases against both and lists what it does not compare):
 * <ul>
 *   <li>No data path: nothing is read or written through a device; thin pools map no blocks, so
 *       their data usage stays 0 and their metadata block counts are illustrative.</li>
 *   <li>No device nodes, no sysfs, no uevents, no udev: open a {@link DeviceMapper} with
 *       {@link NodePolicy#NONE} (as {@link #deviceMapper()} does); {@code EventMonitor}'s uevent
 *       mode has nothing to read. Polling works.</li>
 *   <li>A deferred remove completes synchronously when the last holder closes, where the kernel
 *       uses a work queue a moment later.</li>
 *   <li>Only {@code @cancel_deferred_remove} among the device-mapper core's {@code @} messages;
 *       no statistics. IMA measurements only for {@code linear} and {@code striped}.</li>
 *   <li>Other target types (crypt, cache, raid...) only as {@link #addTargetType opaque} ones.</li>
 *   <li>Only the control node's descriptors and the simulator's eventfds exist: other system
 *       calls fail with ENOSYS.</li>
 * </ul>
 *
 * <p>Thread-safe: one lock serializes the commands, as the kernel's hash lock mostly does.
 */
public final class SimulatedKernel implements Syscalls {

    /** The interface version the simulator reports unless told otherwise: Linux 6.1's. */
    public static final DmVersion DEFAULT_VERSION = new DmVersion(4, 47, 0);

    /** The device-mapper block major the simulated devices get. */
    public static final int DM_MAJOR = 253;

    private static final int CONTROL_FIRST_FD = 1000;
    private static final int LIST_FILTER = 45;
    private static final int MAX_DATA_SIZE = 1 << 30;

    private final DmVersion version;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Names in the kernel's order: its rb-tree compares them with {@code strcmp}. */
    private final java.util.TreeMap<String, Dev> byName = new java.util.TreeMap<>(SimulatedKernel::strcmp);
    private final Map<String, Dev> byUuid = new HashMap<>();
    private final Map<Integer, Dev> byMinor = new HashMap<>();
    private final Map<DeviceNumber, Disk> disks = new LinkedHashMap<>();
    private final Map<String, SimTarget.Type> types = new LinkedHashMap<>();
    private final Map<DeviceNumber, SimTarget.PoolMetadata> metadata = new HashMap<>();
    private final Map<Integer, Fd> fds = new HashMap<>();
    private final Map<DmCommand, Fault> faults = new EnumMap<>(DmCommand.class);
    private final Map<DmCommand, Duration> delays = new EnumMap<>(DmCommand.class);
    private final Map<DmCommand, Long> calls = new EnumMap<>(DmCommand.class);
    private final List<String> log = new ArrayList<>();
    private long globalEvent;
    private int nextFd = CONTROL_FIRST_FD;
    private int nextDiskMinor;

    private SimulatedKernel(DmVersion version) {
        this.version = version;
        SimTarget.builtIn().forEach(t -> types.put(t.name(), t));
    }

    /** A simulator with no devices that reports {@link #DEFAULT_VERSION}. */
    public static SimulatedKernel create() {
        return create(DEFAULT_VERSION);
    }

    /**
     * A simulator that reports the given interface version; commands newer than it fail with
     * ENOTTY, as on an older kernel.
     */
    public static SimulatedKernel create(DmVersion interfaceVersion) {
        if (interfaceVersion.major() != 4 || interfaceVersion.minor() < 0) {
            throw new IllegalArgumentException("device-mapper interface 4.x expected, got " + interfaceVersion);
        }
        return new SimulatedKernel(interfaceVersion);
    }

    /**
     * A client of this simulator: {@link DeviceMapper#open(java.nio.file.Path, Syscalls, NodePolicy)}
     * on {@link DeviceMapper#CONTROL} with {@link NodePolicy#NONE}, since nothing makes nodes here.
     */
    public DeviceMapper deviceMapper() throws IOException {
        return DeviceMapper.open(DeviceMapper.CONTROL, this, NodePolicy.NONE);
    }

    /**
     * Adds a block device that tables may map, by its number or by this path.
     *
     * @param path how tables may name it besides "major:minor", e.g. {@code /dev/sim0}
     * @param sectors its size in 512-byte sectors
     * @return its number (major 7, as loop devices have)
     */
    public DeviceNumber addDisk(String path, long sectors) {
        Objects.requireNonNull(path, "path");
        if (sectors <= 0) {
            throw new IllegalArgumentException("a disk needs at least one sector, got " + sectors);
        }
        lock.lock();
        try {
            if (disks.values().stream().anyMatch(d -> d.path.equals(path))) {
                throw new IllegalArgumentException("a disk at " + path + " exists");
            }
            DeviceNumber number = new DeviceNumber(7, nextDiskMinor++);
            disks.put(number, new Disk(path, sectors));
            return number;
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #openDevice} returns: closing it is the opener's last close. */
    public interface Hold extends AutoCloseable {
        /** Closes the device; a pending deferred remove runs if this was the last opener. */
        @Override
        void close();
    }

    /**
     * Opens a device as a mount or a process would: its open count rises by one until the
     * result is closed, so a remove fails with EBUSY (or is deferred).
     *
     * @throws ErrnoException ENXIO if there is no such device or it is being removed
     */
    public Hold openDevice(String name) throws ErrnoException {
        lock.lock();
        try {
            Dev d = byName.get(name);
            if (d == null) {
                throw new ErrnoException("open", "/dev/mapper/" + name, Errno.ENXIO.number());
            }
            return hold(d);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #openDevice(String)} by the device's number; also opens simulated disks. */
    public Hold openDevice(DeviceNumber device) throws ErrnoException {
        lock.lock();
        try {
            Disk disk = disks.get(device);
            if (disk != null) {
                disk.users++;
                return once(() -> disk.users--);
            }
            Dev d = device.major() == DM_MAJOR ? byMinor.get(device.minor()) : null;
            if (d == null) {
                throw new ErrnoException("open", "/dev/block/" + device, Errno.ENXIO.number());
            }
            return hold(d);
        } finally {
            lock.unlock();
        }
    }

    private Hold hold(Dev d) throws ErrnoException {
        // The block device is added to the system with the first table load: before, nothing opens.
        if (!d.typed) {
            throw new ErrnoException("open", "/dev/mapper/" + d.name + " (no table was ever loaded)",
                    Errno.ENXIO.number());
        }
        d.holders++;
        return once(() -> {
            d.holders--;
            reapDeferred();
        });
    }

    private Hold once(Runnable release) {
        boolean[] closed = {false};
        return () -> {
            lock.lock();
            try {
                if (!closed[0]) {
                    closed[0] = true;
                    release.run();
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        };
    }

    /**
     * Makes the next {@code times} calls of a command fail with {@code errno}, after the checks
     * of the header (so a version mismatch still wins) and before the command changes anything.
     */
    public void failNext(DmCommand command, int times, Errno errno) {
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative, got " + times);
        }
        lock.lock();
        try {
            if (times == 0) {
                faults.remove(command);
            } else {
                faults.put(command, new Fault(times, errno));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes every call of a command take at least this long before it runs; zero removes it. */
    public void delay(DmCommand command, Duration delay) {
        lock.lock();
        try {
            if (delay.isZero()) {
                delays.remove(command);
            } else if (delay.isNegative()) {
                throw new IllegalArgumentException("negative delay " + delay);
            } else {
                delays.put(command, delay);
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many ioctls of this command the simulator has received, failed ones included. */
    public long calls(DmCommand command) {
        lock.lock();
        try {
            return calls.getOrDefault(command, 0L);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a target type the simulator does not model: tables of it load with any arguments, and
     * read back what was loaded; its status is empty.
     */
    public void addTargetType(String name, DmVersion targetVersion) {
        lock.lock();
        try {
            if (types.containsKey(name)) {
                throw new IllegalArgumentException("target type " + name + " exists");
            }
            types.put(name, SimTarget.opaque(name, targetVersion));
        } finally {
            lock.unlock();
        }
    }

    /** What the kernel would have logged for each refusal, oldest first: the reasons errnos lack. */
    public List<String> kernelLog() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- Syscalls

    @Override
    public String backend() {
        return "simulated";
    }

    @Override
    public int open(String path, int flags) throws ErrnoException {
        if (!path.equals(DeviceMapper.CONTROL.toString())) {
            throw new ErrnoException("open", path + " (the simulator has only " + DeviceMapper.CONTROL + ")",
                    Errno.ENOENT.number());
        }
        lock.lock();
        try {
            int fd = nextFd++;
            fds.put(fd, new Fd(false, globalEvent));
            return fd;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(int fd) throws ErrnoException {
        lock.lock();
        try {
            if (fds.remove(fd) == null) {
                throw new ErrnoException("close", "fd " + fd, Errno.EBADF.number());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        lock.lock();
        try {
            int fd = nextFd++;
            Fd f = new Fd(true, 0);
            f.counter = Integer.toUnsignedLong(initialValue);
            fds.put(fd, f);
            return fd;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(int fd, ByteBuffer destination) throws ErrnoException {
        lock.lock();
        try {
            Fd f = eventFd("read", fd);
            if (destination.remaining() < 8) {
                throw new ErrnoException("read", "fd " + fd, Errno.EINVAL.number());
            }
            if (f.counter == 0) {
                throw new ErrnoException("read", "fd " + fd, Errno.EAGAIN.number());
            }
            destination.order(java.nio.ByteOrder.nativeOrder()).putLong(f.counter);
            f.counter = 0;
            return 8;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int write(int fd, ByteBuffer source) throws ErrnoException {
        lock.lock();
        try {
            Fd f = eventFd("write", fd);
            if (source.remaining() < 8) {
                throw new ErrnoException("write", "fd " + fd, Errno.EINVAL.number());
            }
            f.counter += source.order(java.nio.ByteOrder.nativeOrder()).getLong();
            changed.signalAll();
            return 8;
        } finally {
            lock.unlock();
        }
    }

    private Fd eventFd(String call, int fd) throws ErrnoException {
        Fd f = fds.get(fd);
        if (f == null) {
            throw new ErrnoException(call, "fd " + fd, Errno.EBADF.number());
        }
        if (!f.eventfd) {
            throw new ErrnoException(call, "fd " + fd + " (the control node)", Errno.EINVAL.number());
        }
        return f;
    }

    /**
     * Control descriptors are readable once a global event happened after their open or their
     * last {@code DM_DEV_ARM_POLL}; eventfds while their counter is not zero. Interrupts do not
     * end the wait, as they do not end a real {@code poll}.
     */
    @Override
    public int poll(int[] pollFds, short[] events, short[] revents, int timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        boolean interrupted = false;
        lock.lock();
        try {
            while (true) {
                int ready = 0;
                for (int i = 0; i < pollFds.length; i++) {
                    Fd f = fds.get(pollFds[i]);
                    short r;
                    if (f == null) {
                        r = POLLNVAL;
                    } else if (f.eventfd ? f.counter != 0 : f.armed != globalEvent) {
                        r = (short) (events[i] & POLLIN);
                    } else {
                        r = 0;
                    }
                    revents[i] = r;
                    if (r != 0) {
                        ready++;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ready > 0 || (timeoutMillis >= 0 && left <= 0)) {
                    return ready;
                }
                try {
                    if (timeoutMillis < 0) {
                        changed.await();
                    } else {
                        changed.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int semget(int key, int count, int flags) throws ErrnoException {
        throw unsupported("semget");
    }

    @Override
    public int semctl(int semid, int semaphore, int command, int argument) throws ErrnoException {
        throw unsupported("semctl");
    }

    @Override
    public void semop(int semid, int semaphore, int operation, short flags, long timeoutNanos)
            throws ErrnoException {
        throw unsupported("semop");
    }

    @Override
    public void mknod(String path, int mode, int major, int minor) throws ErrnoException {
        throw unsupported("mknod " + path);
    }

    private static ErrnoException unsupported(String call) {
        return new ErrnoException(call, "the simulated kernel has no udev and no device nodes:"
                + " open the DeviceMapper with NodePolicy.NONE", Errno.ENOSYS.number());
    }

    @Override
    public int ioctl(int fd, long request, ByteBuffer argument) throws ErrnoException {
        DmCommand command = commandOf(request);
        Duration delay = null;
        lock.lock();
        try {
            if (command != null) {
                calls.merge(command, 1L, Long::sum);
                delay = delays.get(command);
            }
        } finally {
            lock.unlock();
        }
        if (delay != null) {
            sleepUninterruptibly(delay);
        }
        lock.lock();
        try {
            Fd f = fds.get(fd);
            if (f == null) {
                throw new ErrnoException("ioctl", "fd " + fd, Errno.EBADF.number());
            }
            if (f.eventfd || ((request >> 8) & 0xff) != 0xfd) {
                throw new ErrnoException("ioctl", "fd " + fd, Errno.ENOTTY.number());
            }
            try {
                dispatch(f, (int) (request & 0xff), argument);
                return 0;
            } catch (KernelError e) {
                if (e.getMessage() != null) {
                    log.add(e.getMessage());
                }
                throw new ErrnoException("ioctl", command == null ? "DM_IOCTL " + (request & 0xff) : command.name(),
                        e.errno.number());
            } finally {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private static DmCommand commandOf(long request) {
        int nr = (int) (request & 0xff);
        for (DmCommand c : DmCommand.values()) {
            if (c.number() == nr) {
                return c;
            }
        }
        return null;
    }

    private static void sleepUninterruptibly(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0;) {
            LockSupport.parkNanos(left);
        }
    }

    // ---------------------------------------------------------------- ctl_ioctl

    private void dispatch(Fd fd, int nr, ByteBuffer caller) throws KernelError {
        if (caller.remaining() < Param.MIN_SIZE) {
            throw new KernelError(Errno.EFAULT, null);
        }
        int p = caller.position();
        java.nio.ByteOrder order = caller.order();
        caller.order(java.nio.ByteOrder.nativeOrder());
        try {
            int major = caller.getInt(p);
            int minor = caller.getInt(p + 4);
            // check_version: the kernel's version goes back whatever the outcome.
            caller.putInt(p, version.major()).putInt(p + 4, version.minor()).putInt(p + 8, version.patch());
            if (major != 4 || Integer.compareUnsigned(minor, version.minor()) > 0) {
                throw KernelError.inval("ioctl: ioctl interface mismatch: kernel(" + version + "), user("
                        + major + "." + minor + ")");
            }
            DmCommand command = commandOf(nr);
            if (command == DmCommand.DM_VERSION) {
                return;
            }
            if (command == null || !version.atLeast(command.minimumVersion())) {
                throw new KernelError(Errno.ENOTTY, "ioctl: unknown command 0x" + Integer.toHexString(nr));
            }
            int dataSize = caller.getInt(p + Param.DATA_SIZE);
            if (dataSize < Param.MIN_SIZE || dataSize > MAX_DATA_SIZE) {
                throw KernelError.inval("ioctl: Invalid data size in the ioctl structure: " + dataSize);
            }
            if (dataSize > caller.remaining()) {
                throw new KernelError(Errno.EFAULT, null);
            }
            Param param = Param.copyOf(caller, dataSize);
            validate(command, param);
            Fault fault = faults.get(command);
            if (fault != null) {
                if (--fault.left == 0) {
                    faults.remove(command);
                }
                throw new KernelError(fault.errno, "simulator: injected " + fault.errno + " for " + command);
            }
            param.dataSize(Param.MIN_SIZE);
            run(command, fd, param);
            caller.put(p, param.b, 0, param.dataSize());
            if (switch (command) {
                case DM_REMOVE_ALL, DM_DEV_CREATE, DM_DEV_REMOVE, DM_DEV_RENAME -> true;
                default -> false;
            }) {
                globalEvent++;
            }
        } finally {
            caller.order(order);
        }
    }

    private static void validate(DmCommand command, Param param) throws KernelError {
        param.set(Param.BUFFER_FULL | Param.UEVENT_GENERATED | Param.SECURE_DATA | Param.DATA_OUT, false);
        if (command == DmCommand.DM_REMOVE_ALL || command == DmCommand.DM_LIST_VERSIONS) {
            return;
        }
        if (command == DmCommand.DM_LIST_DEVICES) {
            param.terminateStrings();
            return;
        }
        if (command == DmCommand.DM_DEV_CREATE) {
            if (param.b.get(Param.NAME) == 0) {
                throw KernelError.inval("ioctl: name not supplied when creating device");
            }
        } else if (param.b.get(Param.NAME) != 0 && param.b.get(Param.UUID) != 0) {
            throw KernelError.inval("ioctl: only supply one of name or uuid, cmd(" + command.number() + ")");
        }
        param.terminateStrings();
    }

    private void run(DmCommand command, Fd fd, Param param) throws KernelError {
        switch (command) {
            case DM_REMOVE_ALL -> removeAll(param);
            case DM_LIST_DEVICES -> listDevices(param);
            case DM_DEV_CREATE -> create(param);
            case DM_DEV_REMOVE -> remove(param);
            case DM_DEV_RENAME -> rename(param);
            case DM_DEV_SUSPEND -> suspendOrResume(param);
            case DM_DEV_STATUS -> status(find(param), param);
            case DM_DEV_WAIT -> await(param);
            case DM_TABLE_LOAD -> load(param);
            case DM_TABLE_CLEAR -> clear(param);
            case DM_TABLE_DEPS -> deps(param);
            case DM_TABLE_STATUS -> tableStatus(param);
            case DM_LIST_VERSIONS -> listVersions(param, null);
            case DM_TARGET_MSG -> message(param);
            case DM_DEV_SET_GEOMETRY -> geometry(param);
            case DM_DEV_ARM_POLL -> fd.armed = globalEvent;
            case DM_GET_TARGET_VERSION -> listVersions(param, param.name());
            default -> throw new AssertionError(command);
        }
    }

    // ---------------------------------------------------------------- the commands

    private void removeAll(Param param) {
        boolean deferred = param.has(Param.DEFERRED_REMOVE);
        // Stacked devices free their lower ones: go round until nothing more can go.
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Dev d : List.copyOf(byName.values())) {
                if (byMinor.get(d.minor) != d) {
                    continue; // went with a device it was stacked under
                }
                if (d.openCount() > 0) {
                    d.deferred |= deferred;
                } else {
                    destroy(d);
                    progress = true;
                }
            }
        }
        // remove_all sets data_size 0: nothing but the version reaches the caller.
        param.dataSize(0);
    }

    private void listDevices(Param param) {
        String namePrefix = param.name();
        String uuidPrefix = param.uuid();
        boolean filter = version.minor() >= LIST_FILTER;
        boolean trailer = version.minor() >= 37;
        boolean uuids = param.has(Param.UUID_FLAG);
        List<Dev> listed = new ArrayList<>();
        int needed = 0;
        for (Dev d : byName.values()) {
            if (filter && (!d.name.startsWith(namePrefix) || !(d.uuid == null ? "" : d.uuid).startsWith(uuidPrefix))) {
                continue;
            }
            listed.add(d);
            needed += Param.align8(12 + Param.utf8(d.name).length + 1);
            if (trailer) {
                needed += 8;
                if (uuids && d.uuid != null) {
                    needed += Param.align8(Param.utf8(d.uuid).length + 1);
                }
            }
        }
        int room = param.resultRoom();
        if (room < needed) {
            param.set(Param.BUFFER_FULL, true);
            return;
        }
        ByteBuffer b = param.b;
        int at = Param.RESULT_START;
        int previous = -1;
        for (Dev d : listed) {
            if (previous >= 0) {
                b.putInt(previous + 8, at - previous);
            }
            b.putLong(at, d.number().encode()).putInt(at + 8, 0);
            byte[] name = Param.utf8(d.name);
            b.put(at + 12, name).put(at + 12 + name.length, (byte) 0);
            int end = Param.align8(at + 12 + name.length + 1);
            if (trailer) {
                b.putInt(end, (int) d.eventNr);
                int flags = 0;
                int uuidAt = end + 8;
                end += 8;
                if (uuids) {
                    if (d.uuid != null) {
                        flags = 1;
                        byte[] uuid = Param.utf8(d.uuid);
                        b.put(uuidAt, uuid).put(uuidAt + uuid.length, (byte) 0);
                        end = Param.align8(uuidAt + uuid.length + 1);
                    } else {
                        flags = 2;
                    }
                }
                b.putInt(uuidAt - 4, flags);
            }
            previous = at;
            at = end;
        }
        param.dataSize(Param.RESULT_START + needed);
    }

    private void create(Param param) throws KernelError {
        String name = param.name();
        checkName(name);
        int minor;
        if (param.has(Param.PERSISTENT_DEV)) {
            minor = DeviceNumber.decode(param.dev()).minor();
            if (byMinor.containsKey(minor)) {
                // What Linux 6.1 answers (checked by the contract suite), not the EBUSY of its idr.
                throw new KernelError(Errno.ENXIO, "device-mapper: minor " + minor + " is in use");
            }
        } else {
            minor = 0;
            while (byMinor.containsKey(minor)) {
                minor++;
            }
        }
        String uuid = param.uuid().isEmpty() ? null : param.uuid();
        if (byName.containsKey(name) || (uuid != null && byUuid.containsKey(uuid))) {
            throw new KernelError(Errno.EBUSY, "ioctl: Unable to create device: name or uuid " + name
                    + (uuid == null ? "" : " / " + uuid) + " already exists");
        }
        Dev d = new Dev(name, uuid, minor);
        byName.put(name, d);
        if (uuid != null) {
            byUuid.put(uuid, d);
        }
        byMinor.put(minor, d);
        param.set(Param.INACTIVE_PRESENT, false);
        status(d, param);
    }

    private static void checkName(String name) throws KernelError {
        if (name.contains("/")) {
            throw KernelError.inval("ioctl: device name cannot contain '/'");
        }
        if (name.equals("control") || name.equals(".") || name.equals("..")) {
            throw KernelError.inval("ioctl: device name cannot be \"control\", \".\" or \"..\"");
        }
    }

    /** {@code find_device}: by uuid, else by name, else by number; writes name and uuid back. */
    private Dev find(Param param) throws KernelError {
        String uuid = param.uuid();
        String name = param.name();
        long dev = param.dev();
        Dev d;
        if (!uuid.isEmpty()) {
            if (!name.isEmpty() || dev != 0) {
                throw new KernelError(Errno.ENXIO, "ioctl: Invalid ioctl structure: uuid " + uuid);
            }
            d = byUuid.get(uuid);
        } else if (!name.isEmpty()) {
            if (dev != 0) {
                throw new KernelError(Errno.ENXIO, "ioctl: Invalid ioctl structure: name " + name);
            }
            d = byName.get(name);
        } else {
            DeviceNumber n = DeviceNumber.decode(dev);
            d = n.major() == DM_MAJOR ? byMinor.get(n.minor()) : null;
        }
        if (d == null) {
            throw new KernelError(Errno.ENXIO, null);
        }
        param.name(d.name);
        param.uuid(d.uuid);
        param.set(Param.INACTIVE_PRESENT, d.inactive != null);
        return d;
    }

    /** {@code __dev_status}. */
    private void status(Dev d, Param param) {
        param.set(Param.SUSPEND | Param.READONLY | Param.ACTIVE_PRESENT | Param.INTERNAL_SUSPEND, false);
        param.set(Param.SUSPEND, d.suspended);
        param.set(Param.DEFERRED_REMOVE, d.deferred);
        int targets = 0;
        boolean inactive = param.has(Param.QUERY_INACTIVE);
        if (d.live != null) {
            if (!inactive) {
                param.set(Param.READONLY, d.live.readOnly);
                targets = d.live.targets.size();
            }
            param.set(Param.ACTIVE_PRESENT, true);
        }
        if (inactive && d.inactive != null) {
            param.set(Param.READONLY, d.inactive.readOnly);
            targets = d.inactive.targets.size();
        }
        param.status(d.openCount(), d.eventNr, d.number().encode(), targets);
    }

    private void remove(Param param) throws KernelError {
        Dev d = find(param);
        if (d.openCount() > 0) {
            if (param.has(Param.DEFERRED_REMOVE)) {
                d.deferred = true;
                return;
            }
            throw new KernelError(Errno.EBUSY, "ioctl: unable to remove open device " + d.name);
        }
        destroy(d);
        param.set(Param.DEFERRED_REMOVE, false);
        param.set(Param.UEVENT_GENERATED, true);
    }

    private void rename(Param param) throws KernelError {
        boolean uuid = param.has(Param.UUID_FLAG);
        String target = param.stringAt(param.dataStart());
        if (target == null || target.isEmpty()
                || Param.utf8(target).length > (uuid ? Param.UUID_LEN - 1 : Param.NAME_LEN - 1)) {
            throw KernelError.inval("ioctl: Invalid new mapped device name or uuid string supplied");
        }
        if (!uuid) {
            checkName(target);
        }
        if (uuid ? byUuid.containsKey(target) : byName.containsKey(target)) {
            throw new KernelError(Errno.EBUSY, "ioctl: Unable to change " + (uuid ? "uuid" : "name")
                    + " on mapped device " + param.name() + " to one that already exists: " + target);
        }
        Dev d = find(param);
        if (uuid) {
            if (d.uuid != null) {
                throw KernelError.inval("ioctl: Unable to change uuid of mapped device " + d.name + " to " + target
                        + " because uuid is already set to " + d.uuid);
            }
            d.uuid = target;
            byUuid.put(target, d);
        } else {
            byName.remove(d.name);
            d.name = target;
            byName.put(target, d);
        }
        if (d.live != null) {
            tableEvent(d);
        }
        param.set(Param.UEVENT_GENERATED, true);
        status(d, param);
    }

    private void suspendOrResume(Param param) throws KernelError {
        Dev d = find(param);
        if (param.has(Param.SUSPEND)) {
            d.suspended = true;
            status(d, param);
            return;
        }
        Table next = d.inactive;
        if (next != null) {
            d.inactive = null;
            param.set(Param.INACTIVE_PRESENT, false);
            d.suspended = true;
            try {
                next.checkAreas(this, d);
            } catch (KernelError e) {
                // dm_swap_table failed: the new table is destroyed, the device stays suspended.
                release(next);
                throw e;
            }
            Table old = d.live;
            d.live = next;
            if (old != null) {
                release(old);
            }
        }
        if (d.suspended) {
            if (d.live == null || d.live.sectors() == 0) {
                throw KernelError.inval(null);
            }
            d.suspended = false;
            param.set(Param.UEVENT_GENERATED, true);
        }
        status(d, param);
    }

    private void await(Param param) throws KernelError {
        Dev d = find(param);
        int waitFor = param.eventNr();
        // dm_wait_event sleeps interruptibly, but only for signals: a Java interrupt is no signal.
        while ((int) d.eventNr == waitFor && byMinor.get(d.minor) == d) {
            changed.awaitUninterruptibly();
        }
        if (byMinor.get(d.minor) != d) {
            throw new KernelError(Errno.ENXIO, null);
        }
        status(d, param);
        retrieveStatus(d, param);
    }

    private void load(Param param) throws KernelError {
        Dev d = find(param);
        int count = param.b.getInt(Param.TARGET_COUNT);
        if (count <= 0) {
            throw KernelError.inval("table: no targets specified");
        }
        Table t = new Table(param.has(Param.READONLY));
        int spec = param.dataStart();
        int end = param.size;
        try {
            for (int i = 0; i < count; i++) {
                if (spec < Param.MIN_SIZE || spec + 40 > end || spec % 8 != 0) {
                    throw KernelError.inval("table: Unable to find target");
                }
                String params = param.stringAt(spec + 40);
                if (params == null) {
                    throw KernelError.inval("table: Unable to find target");
                }
                long start = param.b.getLong(spec);
                long length = param.b.getLong(spec + 8);
                byte[] typeBytes = new byte[16];
                param.b.get(spec + 24, typeBytes);
                int n = 0;
                while (n < 16 && typeBytes[n] != 0) {
                    n++;
                }
                String typeName = new String(typeBytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
                if (length == 0) {
                    throw KernelError.inval("table: " + d.number() + ": zero-length target");
                }
                SimTarget.Type type = types.get(typeName);
                if (type == null) {
                    throw KernelError.inval("table: " + d.number() + ": " + typeName + ": unknown target type");
                }
                if (start != t.sectors()) {
                    throw KernelError.inval("table: " + d.number() + ": Gap in table");
                }
                // thin-pool is a singleton type (DM_TARGET_SINGLETON): alone in its table.
                if (!t.targets.isEmpty() && (isPool(type) || t.targets.get(0) instanceof SimTarget.PoolTarget)) {
                    throw KernelError.inval("table: " + d.number() + ": target type must appear alone in table");
                }
                t.targets.add(type.constructor().make(type, start, length, splitArgs(params), t.context(this, d)));
                int next = param.b.getInt(spec + 20);
                if (i + 1 < count && (next <= 0 || next % 8 != 0)) {
                    throw KernelError.inval("table: Next dm_target_spec is not aligned or overlaps");
                }
                spec += next;
            }
            // A pool's live table fixes its type (DM_TARGET_IMMUTABLE); error stands in for any type.
            boolean livePool = d.live != null && d.live.targets.get(0) instanceof SimTarget.PoolTarget;
            boolean newPool = t.targets.get(0) instanceof SimTarget.PoolTarget;
            if (livePool && !newPool && t.targets.stream().noneMatch(x -> x.type.name().equals("error"))) {
                throw KernelError.inval("ioctl: can't replace immutable target type thin-pool");
            }
            // The first table sets the device's queue up, which checks every device area now;
            // later tables are checked when a resume swaps them in.
            if (!d.typed) {
                t.checkAreas(this, d);
            }
        } catch (KernelError e) {
            release(t);
            throw e;
        }
        d.typed = true;
        if (d.inactive != null) {
            release(d.inactive);
        }
        d.inactive = t;
        param.set(Param.INACTIVE_PRESENT, true);
        status(d, param);
    }

    private void clear(Param param) throws KernelError {
        Dev d = find(param);
        if (d.inactive != null) {
            release(d.inactive);
            d.inactive = null;
        }
        param.set(Param.INACTIVE_PRESENT, false);
        status(d, param);
    }

    private void deps(Param param) throws KernelError {
        Dev d = find(param);
        status(d, param);
        Table t = param.has(Param.QUERY_INACTIVE) ? d.inactive : d.live;
        if (t == null) {
            return;
        }
        int room = param.resultRoom();
        int needed = 8 + 8 * t.devices.size();
        if (room < needed) {
            param.set(Param.BUFFER_FULL, true);
            return;
        }
        param.b.putInt(Param.RESULT_START, t.devices.size()).putInt(Param.RESULT_START + 4, 0);
        for (int i = 0; i < t.devices.size(); i++) {
            param.b.putLong(Param.RESULT_START + 8 + 8 * i, t.devices.get(i).encode());
        }
        param.dataSize(Param.RESULT_START + needed);
    }

    private void tableStatus(Param param) throws KernelError {
        Dev d = find(param);
        status(d, param);
        retrieveStatus(d, param);
    }

    private void retrieveStatus(Dev d, Param param) {
        Table t = param.has(Param.QUERY_INACTIVE) ? d.inactive : d.live;
        if (t == null) {
            return;
        }
        SimTarget.StatusType type = param.has(Param.IMA_MEASUREMENT) ? SimTarget.StatusType.IMA
                : param.has(Param.STATUS_TABLE) ? SimTarget.StatusType.TABLE : SimTarget.StatusType.INFO;
        int room = param.resultRoom();
        int at = Param.RESULT_START;
        int end = Param.RESULT_START + room;
        for (SimTarget target : t.targets) {
            if (end - at <= 40) {
                param.set(Param.BUFFER_FULL, true);
                break;
            }
            byte[] text = Param.utf8(target.status(type));
            if (at + 40 + text.length + 1 > end) {
                param.set(Param.BUFFER_FULL, true);
                break;
            }
            param.b.putLong(at, target.start).putLong(at + 8, target.length).putInt(at + 16, 0);
            byte[] typeName = Param.utf8(target.type.name());
            for (int i = 0; i < 16; i++) {
                param.b.put(at + 24 + i, i < typeName.length ? typeName[i] : 0);
            }
            param.b.put(at + 40, text).put(at + 40 + text.length, (byte) 0);
            int next = Param.align8(at + 40 + text.length + 1);
            // A status spec's next counts from the start of the results, unlike a load's.
            param.b.putInt(at + 20, next - Param.RESULT_START);
            at = next;
        }
        param.dataSize(at);
    }

    private void listVersions(Param param, String only) throws KernelError {
        List<SimTarget.Type> listed;
        if (only == null) {
            listed = List.copyOf(types.values());
        } else {
            SimTarget.Type t = types.get(only);
            if (t == null) {
                throw KernelError.inval("ioctl: Target type " + only + " not found");
            }
            listed = List.of(t);
        }
        int needed = 0;
        for (SimTarget.Type t : listed) {
            needed += 16 + Param.utf8(t.name()).length + 7;
        }
        int room = param.resultRoom();
        if (room < needed) {
            param.set(Param.BUFFER_FULL, true);
            return;
        }
        int at = Param.RESULT_START;
        int previous = -1;
        for (SimTarget.Type t : listed) {
            if (previous >= 0) {
                param.b.putInt(previous, at - previous);
            }
            byte[] name = Param.utf8(t.name());
            param.b.putInt(at, 0).putInt(at + 4, t.version().major()).putInt(at + 8, t.version().minor())
                    .putInt(at + 12, t.version().patch());
            param.b.put(at + 16, name).put(at + 16 + name.length, (byte) 0);
            previous = at;
            at = Param.align8(at + 16 + name.length + 1);
        }
        param.dataSize(Param.RESULT_START + needed);
    }

    private void message(Param param) throws KernelError {
        Dev d = find(param);
        int at = param.dataStart();
        String text = at < Param.MIN_SIZE ? null : param.stringAt(at + 8);
        if (text == null) {
            throw KernelError.inval("ioctl: Invalid target message parameters.");
        }
        List<String> argv = splitArgs(text);
        if (argv.isEmpty()) {
            throw KernelError.inval("ioctl: Empty message received.");
        }
        String result;
        if (argv.get(0).startsWith("@")) {
            if (!argv.get(0).equalsIgnoreCase("@cancel_deferred_remove")) {
                throw KernelError.inval("ioctl: Unsupported message sent to DM core: " + argv.get(0));
            }
            if (argv.size() != 1) {
                throw KernelError.inval("ioctl: Invalid arguments for @cancel_deferred_remove");
            }
            d.deferred = false;
            result = null;
        } else {
            if (d.live == null) {
                throw KernelError.inval(null);
            }
            long sector = param.b.getLong(at);
            SimTarget target = d.live.targets.stream().filter(x -> sector >= x.start && sector < x.start + x.length)
                    .findFirst().orElseThrow(() -> KernelError.inval("ioctl: Target message sector outside device."));
            result = target.message(argv);
        }
        status(d, param);
        if (result != null) {
            param.set(Param.DATA_OUT, true);
            int room = param.resultRoom();
            byte[] bytes = Param.utf8(result);
            if (bytes.length + 1 > room) {
                param.set(Param.BUFFER_FULL, true);
            } else {
                param.b.put(Param.RESULT_START, bytes).put(Param.RESULT_START + bytes.length, (byte) 0);
                param.dataSize(Param.RESULT_START + bytes.length + 1);
            }
        }
    }

    private void geometry(Param param) throws KernelError {
        find(param);
        String text = param.stringAt(param.dataStart());
        if (text == null) {
            throw KernelError.inval("ioctl: Invalid geometry supplied.");
        }
        String[] parts = text.trim().split("\\s+");
        long[] values = new long[4];
        if (parts.length < 4) {
            throw KernelError.inval("ioctl: Unable to interpret geometry settings.");
        }
        for (int i = 0; i < 4; i++) {
            try {
                values[i] = Long.parseUnsignedLong(parts[i]);
            } catch (NumberFormatException e) {
                throw KernelError.inval("ioctl: Unable to interpret geometry settings.");
            }
        }
        if (values[0] > 65535 || values[1] > 255 || values[2] > 255) {
            throw KernelError.inval("ioctl: Unable to interpret geometry settings.");
        }
        // The kernel keeps the geometry for HDIO_GETGEO on the block device, which is not simulated.
        if (values[3] > values[0] * values[1] * values[2]) {
            throw KernelError.inval("device-mapper: Start sector is beyond the geometry limits.");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** {@code event_callback}: the device's event number moves, and so does the global one. */
    private void tableEvent(Dev d) {
        d.eventNr = (d.eventNr + 1) & 0xffffffffL;
        globalEvent++;
    }

    private void destroy(Dev d) {
        if (d.live != null) {
            tableEvent(d);
        }
        byName.remove(d.name);
        if (d.uuid != null) {
            byUuid.remove(d.uuid);
        }
        byMinor.remove(d.minor);
        Table live = d.live;
        Table inactive = d.inactive;
        d.live = null;
        d.inactive = null;
        if (inactive != null) {
            release(inactive);
        }
        if (live != null) {
            release(live);
        }
    }

    /** {@code dm_table_destroy}: the targets go and the devices the table held are closed. */
    private void release(Table t) {
        t.targets.forEach(SimTarget::destroy);
        for (DeviceNumber n : t.devices) {
            Disk disk = disks.get(n);
            if (disk != null) {
                disk.users--;
            }
            Dev d = n.major() == DM_MAJOR ? byMinor.get(n.minor()) : null;
            if (d != null) {
                d.users--;
            }
        }
        t.devices.clear();
        reapDeferred();
    }

    /** The deferred-remove work: every marked device nobody holds goes. */
    private void reapDeferred() {
        for (Dev d : List.copyOf(byName.values())) {
            if (d.deferred && d.openCount() == 0 && byMinor.get(d.minor) == d) {
                destroy(d);
                globalEvent++;
            }
        }
    }

    /** dm_split_args: whitespace separates, a backslash escapes the next character. */
    static List<String> splitArgs(String text) {
        List<String> argv = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(text.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    argv.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            argv.add(word.toString());
        }
        return argv;
    }

    private static int strcmp(String a, String b) {
        return java.util.Arrays.compareUnsigned(Param.utf8(a), Param.utf8(b));
    }

    /** Resolves a table's device argument as {@code dm_get_device} does. */
    DeviceNumber resolve(String arg, Dev self) throws KernelError {
        DeviceNumber n;
        if (arg.matches("[0-9]+:[0-9]+")) {
            try {
                n = DeviceNumber.parse(arg);
            } catch (IllegalArgumentException e) {
                throw new KernelError(Errno.EOVERFLOW, "table: " + self.number() + ": " + arg + ": out of range");
            }
        } else {
            n = disks.entrySet().stream().filter(e -> e.getValue().path.equals(arg)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (n == null) {
                Dev d = arg.startsWith("/dev/mapper/") ? byName.get(arg.substring("/dev/mapper/".length()))
                        : arg.matches("/dev/dm-[0-9]+") ? byMinor.get(Integer.parseInt(arg.substring(8))) : null;
                if (d == null) {
                    throw new KernelError(Errno.ENODEV, "table: " + self.number() + ": " + arg
                            + ": lookup failed");
                }
                n = d.number();
            }
        }
        boolean isDm = n.major() == DM_MAJOR && byMinor.containsKey(n.minor());
        if (!disks.containsKey(n) && !isDm) {
            throw new KernelError(Errno.ENXIO, "table: " + self.number() + ": " + arg + ": no such device");
        }
        return n;
    }

    long sectorsOf(DeviceNumber n) {
        Disk disk = disks.get(n);
        if (disk != null) {
            return disk.sectors;
        }
        Dev d = n.major() == DM_MAJOR ? byMinor.get(n.minor()) : null;
        return d == null || d.live == null ? 0 : d.live.sectors();
    }

    void use(DeviceNumber n) {
        Disk disk = disks.get(n);
        if (disk != null) {
            disk.users++;
        }
        Dev d = n.major() == DM_MAJOR ? byMinor.get(n.minor()) : null;
        if (d != null) {
            d.users++;
        }
    }

    SimTarget.PoolTarget poolOn(DeviceNumber n) {
        Dev d = n.major() == DM_MAJOR ? byMinor.get(n.minor()) : null;
        if (d == null) {
            return null;
        }
        for (Table t : new Table[] {d.live, d.inactive}) {
            if (t != null && t.targets.size() == 1 && t.targets.get(0) instanceof SimTarget.PoolTarget pool) {
                return pool;
            }
        }
        return null;
    }

    SimTarget.PoolMetadata metadata(DeviceNumber n, long sectors) {
        return metadata.computeIfAbsent(n, k -> new SimTarget.PoolMetadata(sectors));
    }

    private static final class Fault {
        int left;
        final Errno errno;

        Fault(int left, Errno errno) {
            this.left = left;
            this.errno = errno;
        }
    }

    private static final class Fd {
        final boolean eventfd;
        long armed;
        long counter;

        Fd(boolean eventfd, long armed) {
            this.eventfd = eventfd;
            this.armed = armed;
        }
    }

    private static final class Disk {
        final String path;
        final long sectors;
        int users;

        Disk(String path, long sectors) {
            this.path = path;
            this.sectors = sectors;
        }
    }

    /** A mapped device: {@code struct mapped_device} with its hash cell. */
    static final class Dev {
        String name;
        String uuid;
        final int minor;
        Table live;
        Table inactive;
        boolean suspended;
        long eventNr;
        /** Openers from {@link #openDevice}. */
        int holders;
        /** Tables (live or inactive, of any device) that map this one. */
        int users;
        boolean deferred;
        /** A table was loaded once: the device's type and queue are set up. */
        boolean typed;

        Dev(String name, String uuid, int minor) {
            this.name = name;
            this.uuid = uuid;
            this.minor = minor;
        }

        DeviceNumber number() {
            return new DeviceNumber(DM_MAJOR, minor);
        }

        int openCount() {
            return holders + users;
        }
    }

    record Area(DeviceNumber device, long start, long length) {}

    private static boolean isPool(SimTarget.Type type) {
        return type.name().equals("thin-pool");
    }

    /** A table: its targets and the devices it holds open, newest first as the kernel lists them. */
    static final class Table {
        final List<SimTarget> targets = new ArrayList<>();
        final List<DeviceNumber> devices = new ArrayList<>();
        final List<Area> areas = new ArrayList<>();
        final boolean readOnly;

        Table(boolean readOnly) {
            this.readOnly = readOnly;
        }

        /** {@code device_area_is_invalid} for every device area the targets map. */
        void checkAreas(SimulatedKernel kernel, Dev self) throws KernelError {
            for (Area a : areas) {
                long size = kernel.sectorsOf(a.device());
                if (a.start() + a.length() > size) {
                    throw KernelError.inval("table: " + self.number() + ": " + a.device() + " too small for target: start="
                            + a.start() + ", len=" + a.length() + ", dev_size=" + size);
                }
            }
        }

        long sectors() {
            return targets.isEmpty() ? 0 : targets.get(targets.size() - 1).start + targets.get(targets.size() - 1).length;
        }

        SimTarget.Context context(SimulatedKernel kernel, Dev self) {
            Table table = this;
            return new SimTarget.Context() {
                @Override
                public DeviceNumber device(String arg, long start, long length) throws KernelError {
                    DeviceNumber n = kernel.resolve(arg, self);
                    if (start + length < start) {
                        throw KernelError.inval("table: " + self.number() + ": device area overflows");
                    }
                    table.areas.add(new Area(n, start, length));
                    if (!table.devices.contains(n)) {
                        kernel.use(n);
                        table.devices.add(0, n);
                    }
                    return n;
                }

                @Override
                public boolean readOnly() {
                    return table.readOnly;
                }

                @Override
                public SimTarget.PoolTarget poolOn(DeviceNumber device) {
                    return kernel.poolOn(device);
                }

                @Override
                public SimTarget.PoolMetadata metadata(DeviceNumber metadataDevice, long metadataSectors) {
                    return kernel.metadata(metadataDevice, metadataSectors);
                }

                @Override
                public long sectors(DeviceNumber device) {
                    return kernel.sectorsOf(device);
                }
            };
        }
    }
}
