package io.dm4j.sys.spi;

import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What every backend shares. A backend only performs the raw call and reports the errno; argument
 * checks and error reporting happen here, once, so the backends cannot drift apart. Each {@code raw}
 * method returns the call's result, or {@code -errno} on failure. The buffers handed to a raw call
 * are kept reachable here until it returns, so a backend that passes the kernel a bare address
 * cannot have them freed meanwhile.
 */
public abstract class NativeBackend implements Syscalls {
    private static final int O_CLOEXEC = 02000000;
    private static final int EFD_CLOEXEC = 02000000;
    private static final int SOCK_CLOEXEC = 02000000;
    /** {@code sizeof(struct pollfd)}: int fd, short events, short revents. */
    private static final int POLLFD_SIZE = 8;
    /** Where the {@code struct timespec} sits in the semop scratch, after the 6-byte sembuf. */
    protected static final int TIMESPEC_OFFSET = 8;

    /** Subclasses bind their native functions in their constructor. */
    protected NativeBackend() {}

    /** Per-thread native memory for the structs that calls pass by pointer. */
    private final ThreadLocal<ByteBuffer> scratch = ThreadLocal.withInitial(() -> direct(256));

    /**
     * Raw {@code open}.
     *
     * @param path NUL-terminated path bytes
     * @return the descriptor, or {@code -errno} on failure
     */
    protected abstract int rawOpen(byte[] path, int flags);

    /** Raw {@code close}: 0, or {@code -errno} on failure. */
    protected abstract int rawClose(int fd);

    /** Raw {@code ioctl} on the address of the buffer's position: the result, or {@code -errno}. */
    protected abstract int rawIoctl(int fd, long request, ByteBuffer argument);

    /**
     * {@link #rawIoctl} for a request that cannot sleep for long ({@link #ioctlNonBlocking}); a
     * backend that has a cheaper call for those overrides it.
     */
    protected int rawIoctlNonBlocking(int fd, long request, ByteBuffer argument) {
        return rawIoctl(fd, request, argument);
    }

    /** Raw {@code mknod} with a glibc {@code dev_t}. */
    protected abstract int rawMknod(byte[] path, int mode, long dev);

    /** Raw {@code poll} over {@code count} {@code struct pollfd} at the buffer's start. */
    protected abstract int rawPoll(ByteBuffer pollfds, int count, int timeoutMillis);

    /** Raw {@code eventfd}. */
    protected abstract int rawEventfd(int initialValue, int flags);

    /** Raw {@code read} into the buffer's position, at most {@code remaining()} bytes. */
    protected abstract long rawRead(int fd, ByteBuffer buffer);

    /** Raw {@code write} from the buffer's position, {@code remaining()} bytes. */
    protected abstract long rawWrite(int fd, ByteBuffer buffer);

    /** Raw {@code semget}. */
    protected abstract int rawSemget(int key, int count, int flags);

    /** Raw {@code semctl} with an {@code int} as the variadic {@code union semun}. */
    protected abstract int rawSemctl(int semid, int semaphore, int command, int argument);

    /**
     * Raw {@code semtimedop} with one sembuf at the buffer's start and, if {@code withTimeout},
     * a timespec at {@link #TIMESPEC_OFFSET}; otherwise the timeout pointer is NULL.
     */
    protected abstract int rawSemtimedop(int semid, ByteBuffer sembufAndTimeout, boolean withTimeout);

    /** Raw {@code socket}. */
    protected abstract int rawSocket(int domain, int type, int protocol);

    /** Raw {@code bind} with the buffer's remaining bytes as the address and its length. */
    protected abstract int rawBind(int fd, ByteBuffer address);

    /** Raw {@code setsockopt} with the buffer's remaining bytes as the value and its length. */
    protected abstract int rawSetsockopt(int fd, int level, int option, ByteBuffer value);

    /** The path as NUL-terminated UTF-8; a NUL inside it is refused. */
    private static byte[] cString(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains a NUL byte: " + path.replace("\0", "\\0"));
            }
        }
        byte[] cPath = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, cPath, 0, bytes.length);
        return cPath;
    }

    @Override
    public final int open(String path, int flags) throws ErrnoException {
        int fd = rawOpen(cString(path), flags | O_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("open", path, -fd);
        }
        return fd;
    }

    @Override
    public final void mknod(String path, int mode, int major, int minor) throws ErrnoException {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative device number " + major + ":" + minor);
        }
        int r = rawMknod(cString(path), mode, makedev(major, minor));
        if (r < 0) {
            throw new ErrnoException("mknod", path, -r);
        }
    }

    /** glibc's {@code makedev}: the {@code dev_t} layout user space passes to mknod and stat. */
    private static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    @Override
    public final void close(int fd) throws ErrnoException {
        int r = rawClose(fd);
        if (r < 0) {
            throw new ErrnoException("close", "fd " + fd, -r);
        }
    }

    @Override
    public final int ioctl(int fd, long request, ByteBuffer argument) throws ErrnoException {
        int r = rawIoctl(fd, request, requireDirect(argument));
        Reference.reachabilityFence(argument);
        return ioctlResult(r, fd, request);
    }

    @Override
    public final int ioctlNonBlocking(int fd, long request, ByteBuffer argument) throws ErrnoException {
        int r = rawIoctlNonBlocking(fd, request, requireDirect(argument));
        Reference.reachabilityFence(argument);
        return ioctlResult(r, fd, request);
    }

    private static int ioctlResult(int r, int fd, long request) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException("ioctl", "fd " + fd + ", request 0x" + Long.toHexString(request), -r);
        }
        return r;
    }

    @Override
    public final int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws ErrnoException {
        int n = fds.length;
        if (events.length != n || revents.length != n) {
            throw new IllegalArgumentException("fds, events and revents must have the same length");
        }
        ByteBuffer b = scratch(n * POLLFD_SIZE);
        for (int i = 0; i < n; i++) {
            b.putInt(i * POLLFD_SIZE, fds[i]).putShort(i * POLLFD_SIZE + 4, events[i]).putShort(i * POLLFD_SIZE + 6,
                    (short) 0);
        }
        int r = rawPoll(b, n, timeoutMillis);
        if (r < 0) {
            throw new ErrnoException("poll", n + " descriptors", -r);
        }
        for (int i = 0; i < n; i++) {
            revents[i] = b.getShort(i * POLLFD_SIZE + 6);
        }
        return r;
    }

    @Override
    public final int eventfd(int initialValue, int flags) throws ErrnoException {
        int r = rawEventfd(initialValue, flags | EFD_CLOEXEC);
        if (r < 0) {
            throw new ErrnoException("eventfd", "initial value " + initialValue, -r);
        }
        return r;
    }

    @Override
    public final int read(int fd, ByteBuffer destination) throws ErrnoException {
        long r = rawRead(fd, requireDirect(destination));
        Reference.reachabilityFence(destination);
        return transfer("read", fd, destination, r);
    }

    @Override
    public final int write(int fd, ByteBuffer source) throws ErrnoException {
        long r = rawWrite(fd, requireDirect(source));
        Reference.reachabilityFence(source);
        return transfer("write", fd, source, r);
    }

    private static int transfer(String call, int fd, ByteBuffer buffer, long r) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException(call, "fd " + fd, (int) -r);
        }
        buffer.position(buffer.position() + (int) r);
        return (int) r;
    }

    @Override
    public final int semget(int key, int count, int flags) throws ErrnoException {
        int r = rawSemget(key, count, flags);
        if (r < 0) {
            throw new ErrnoException("semget", "key 0x" + Integer.toHexString(key), -r);
        }
        return r;
    }

    @Override
    public final int semctl(int semid, int semaphore, int command, int argument) throws ErrnoException {
        int r = rawSemctl(semid, semaphore, command, argument);
        if (r < 0) {
            throw new ErrnoException("semctl", "semid " + semid + ", command " + command, -r);
        }
        return r;
    }

    @Override
    public final void semop(int semid, int semaphore, int operation, short flags, long timeoutNanos)
            throws ErrnoException {
        ByteBuffer b = scratch(TIMESPEC_OFFSET + 16);
        // struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }
        b.putShort(0, (short) semaphore).putShort(2, (short) operation).putShort(4, flags);
        if (timeoutNanos >= 0) {
            b.putLong(TIMESPEC_OFFSET, timeoutNanos / 1_000_000_000L)
                    .putLong(TIMESPEC_OFFSET + 8, timeoutNanos % 1_000_000_000L);
        }
        int r = rawSemtimedop(semid, b, timeoutNanos >= 0);
        if (r < 0) {
            throw new ErrnoException("semtimedop", "semid " + semid, -r);
        }
    }

    @Override
    public final int socket(int domain, int type, int protocol) throws ErrnoException {
        int r = rawSocket(domain, type | SOCK_CLOEXEC, protocol);
        if (r < 0) {
            throw new ErrnoException("socket", "domain " + domain + ", type " + type + ", protocol " + protocol, -r);
        }
        return r;
    }

    @Override
    public final void bind(int fd, ByteBuffer address) throws ErrnoException {
        int r = rawBind(fd, requireDirect(address));
        Reference.reachabilityFence(address);
        if (r < 0) {
            throw new ErrnoException("bind", "fd " + fd, -r);
        }
    }

    @Override
    public final void setsockopt(int fd, int level, int option, int value) throws ErrnoException {
        ByteBuffer b = scratch(4).slice(0, 4).order(ByteOrder.nativeOrder()).putInt(0, value);
        int r = rawSetsockopt(fd, level, option, b);
        if (r < 0) {
            throw new ErrnoException("setsockopt", "fd " + fd + ", level " + level + ", option " + option, -r);
        }
    }

    private ByteBuffer scratch(int size) {
        ByteBuffer b = scratch.get();
        if (b.capacity() < size) {
            b = direct(Integer.highestOneBit(size) << 1);
            scratch.set(b);
        }
        return b;
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer requireDirect(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("native calls need a direct buffer");
        }
        return buffer;
    }

    @Override
    public String toString() {
        return "Syscalls[" + backend() + "]";
    }
}
