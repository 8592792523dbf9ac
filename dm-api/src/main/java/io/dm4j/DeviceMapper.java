package io.dm4j;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A client of the kernel's device-mapper, speaking its ioctl protocol on one control descriptor.
 * Thread-safe: each thread uses its own ioctl buffer.
 *
 * <pre>{@code
 * try (DeviceMapper dm = DeviceMapper.open()) {
 *     dm.create("vol0", null);
 *     dm.load("vol0", List.of(new TargetLine(0, 2048, "linear", "7:0 0")));
 *     dm.resume("vol0");
 * }
 * }</pre>
 */
public final class DeviceMapper implements AutoCloseable {
    /** The control node's usual path. */
    public static final Path CONTROL = Path.of("/dev/mapper/control");

    private static final int INITIAL_BUFFER = 16 * 1024;
    private static final int MAX_BUFFER = 256 * 1024 * 1024;

    private final Syscalls sys;
    private final int fd;
    private final DmVersion driverVersion;
    private final ThreadLocal<ByteBuffer> buffers =
            ThreadLocal.withInitial(() -> allocate(INITIAL_BUFFER));
    private volatile boolean closed;

    private DeviceMapper(Syscalls sys, int fd) throws IOException {
        this.sys = sys;
        this.fd = fd;
        try {
            this.driverVersion = execute(DmCommand.DM_VERSION, null, 0, null, (h, b) -> h.version());
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Opens {@link #CONTROL} with the best available native backend. */
    public static DeviceMapper open() throws IOException {
        return open(CONTROL, Syscalls.get());
    }

    /** Opens a control node with the given native backend. */
    public static DeviceMapper open(Path control, Syscalls sys) throws IOException {
        int fd;
        try {
            fd = sys.open(control.toString(), Syscalls.O_RDWR);
        } catch (ErrnoException e) {
            throw new DeviceMapperException(DmCommand.DM_VERSION, null, e.errnoValue(), openHint(control, e), e);
        }
        return new DeviceMapper(sys, fd);
    }

    private static String openHint(Path control, ErrnoException e) {
        if (e.is(Errno.ENOENT)) {
            return "no device-mapper control node at " + control
                    + ": load the dm-mod module (modprobe dm_mod), or run the program inside vm/run";
        }
        if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
            return "cannot open " + control + ": needs CAP_SYS_ADMIN: run as root or in a privileged container";
        }
        return "cannot open " + control;
    }

    /** The interface version of the kernel's device-mapper driver, read when this client opened. */
    public DmVersion driverVersion() {
        return driverVersion;
    }

    /** The native backend in use: {@code ffm}, {@code jnr} or {@code jna}. */
    public String backend() {
        return sys.backend();
    }

    /** Issues {@code DM_VERSION} and returns the driver's interface version. */
    public DmVersion version() throws IOException {
        return execute(DmCommand.DM_VERSION, null, 0, null, (h, b) -> h.version());
    }

    /**
     * Creates a device with no table; it starts suspended.
     *
     * @param uuid the device's uuid, or {@code null} for none
     */
    public DeviceInfo create(String name, String uuid) throws IOException {
        Validation.checkName(name);
        if (uuid != null) {
            Validation.checkUuid(uuid);
        }
        return execute(DmCommand.DM_DEV_CREATE, name, 0, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_DEV_CREATE.minimumVersion(), DmIoctl.SIZE, 0, name, uuid);
            return DmIoctl.SIZE;
        }, (h, b) -> h.toDeviceInfo());
    }

    /** Loads a table into the device's inactive slot; {@link #resume} makes it live. */
    public DeviceInfo load(String name, List<TargetLine> table) throws IOException {
        Validation.checkName(name);
        Validation.checkTable(table);
        return execute(DmCommand.DM_TABLE_LOAD, name, DmIoctl.SIZE + DmIoctl.targetsSize(table), b -> {
            int size = DmIoctl.SIZE + DmIoctl.targetsSize(table);
            DmIoctl.putHeader(b, DmCommand.DM_TABLE_LOAD.minimumVersion(), size, 0, name, null);
            b.putInt(DmIoctl.TARGET_COUNT, table.size());
            DmIoctl.putTargets(b, DmIoctl.SIZE, table);
            return size;
        }, (h, b) -> h.toDeviceInfo());
    }

    /** Resumes the device, making a loaded inactive table live. */
    public DeviceInfo resume(String name) throws IOException {
        return simple(DmCommand.DM_DEV_SUSPEND, name, 0);
    }

    /** Removes the device; fails with {@code EBUSY} if it is open. */
    public void remove(String name) throws IOException {
        simple(DmCommand.DM_DEV_REMOVE, name, 0);
    }

    /** The device's status header. */
    public DeviceInfo info(String name) throws IOException {
        return simple(DmCommand.DM_DEV_STATUS, name, 0);
    }

    /** The device's live table, as the kernel reports it. */
    public List<TargetLine> table(String name) throws IOException {
        Validation.checkName(name);
        return execute(DmCommand.DM_TABLE_STATUS, name, INITIAL_BUFFER, b -> {
            DmIoctl.putHeader(b, DmCommand.DM_TABLE_STATUS.minimumVersion(), b.capacity(),
                    DmIoctl.STATUS_TABLE_FLAG, name, null);
            return b.capacity();
        }, (h, b) -> DmIoctl.readTargets(b, h));
    }

    private DeviceInfo simple(DmCommand command, String name, int flags) throws IOException {
        Validation.checkName(name);
        return execute(command, name, DmIoctl.SIZE, b -> {
            DmIoctl.putHeader(b, command.minimumVersion(), DmIoctl.SIZE, flags, name, null);
            return DmIoctl.SIZE;
        }, (h, b) -> h.toDeviceInfo());
    }

    /** Fills a zeroed request buffer and returns the number of bytes the request uses. */
    @FunctionalInterface
    private interface Request {
        int write(ByteBuffer buffer);
    }

    /** Decodes a reply from its header and the buffer holding it. */
    @FunctionalInterface
    private interface Reply<T> {
        T decode(DmIoctl.Header header, ByteBuffer buffer);
    }

    /**
     * The one funnel every command goes through: version gate, request encoding, the ioctl, errno
     * translation, and the retry with a doubled buffer when the kernel sets
     * {@code DM_BUFFER_FULL_FLAG}.
     *
     * @param minSize bytes the request needs at least
     * @param request writes the request; {@code null} for a bare header
     */
    private <T> T execute(DmCommand command, String device, int minSize, Request request,
            Reply<T> decode) throws IOException {
        if (closed) {
            throw new IllegalStateException("DeviceMapper is closed");
        }
        if (driverVersion != null && !driverVersion.atLeast(command.minimumVersion())) {
            throw new UnsupportedCommandException(command, device, driverVersion);
        }
        ByteBuffer b = buffers.get();
        if (b.capacity() < minSize) {
            b = grow(minSize);
        }
        while (true) {
            zero(b, b.capacity());
            if (request == null) {
                DmIoctl.putHeader(b, command.minimumVersion(), DmIoctl.SIZE, 0, null, null);
            } else {
                request.write(b);
            }
            try {
                sys.ioctl(fd, command.request(), b);
            } catch (ErrnoException e) {
                throw new DeviceMapperException(command, device, e);
            }
            DmIoctl.Header h = DmIoctl.readHeader(b);
            if (!h.has(DmIoctl.BUFFER_FULL_FLAG)) {
                return decode.decode(h, b);
            }
            if (b.capacity() >= MAX_BUFFER) {
                throw new DmProtocolException(command + " reply does not fit in " + MAX_BUFFER + " bytes");
            }
            b = grow(b.capacity() * 2);
        }
    }

    private ByteBuffer grow(int atLeast) {
        int size = Math.max(INITIAL_BUFFER, Integer.highestOneBit(atLeast - 1) << 1);
        ByteBuffer b = allocate(size);
        buffers.set(b);
        return b;
    }

    private static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    private static void zero(ByteBuffer b, int length) {
        for (int i = 0; i + 8 <= length; i += 8) {
            b.putLong(i, 0L);
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
                throw new DeviceMapperException(DmCommand.DM_VERSION, null, e.errnoValue(), "closing the control node", e);
            }
        }
    }
}
