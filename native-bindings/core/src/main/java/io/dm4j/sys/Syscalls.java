package io.dm4j.sys;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The system calls dm4j needs, and nothing more. Every method may be called from many threads at
 * once; a failure raises {@link ErrnoException} with the errno captured together with the call.
 *
 * <p>dm4j has three implementations, each found through {@link java.util.ServiceLoader}: FFM
 * ({@code java.lang.foreign}, JDK 22+, in this artifact), jnr-ffi ({@code io.dm4j:dm4j-native-jnr})
 * and JNA ({@code io.dm4j:dm4j-native-jna}), the last two for JDK 17 and 21. {@link #get()} returns
 * the installed one that works here with the highest priority (FFM, then jnr, then JNA) unless the
 * system property {@value #BACKEND_PROPERTY} names one, and logs its choice once (logger
 * {@code io.dm4j.sys.Syscalls}: DEBUG, or WARNING when a better backend is installed but failed).
 * The FFM backend needs native access: {@code --enable-native-access=ALL-UNNAMED} on the class path,
 * {@code --enable-native-access=io.dm4j.sys} on the module path.
 */
public interface Syscalls {

    /** System property that forces a backend: {@code ffm}, {@code jnr} or {@code jna}. */
    String BACKEND_PROPERTY = "dm4j.native";

    /** {@code open} flag: read only. */
    int O_RDONLY = 0;
    /** {@code open} flag: write only. */
    int O_WRONLY = 1;
    /** {@code open} flag: read and write. */
    int O_RDWR = 2;
    /** {@code open} flag: fail with {@code EEXIST} instead of creating over an existing file. */
    int O_EXCL = 0200;
    /** {@code open} flag: non-blocking. */
    int O_NONBLOCK = 04000;

    /** {@code poll} event: data to read. */
    short POLLIN = 0x1;
    /** {@code poll} event: an error condition. */
    short POLLERR = 0x8;
    /** {@code poll} event: hang-up. */
    short POLLHUP = 0x10;
    /** {@code poll} event: the descriptor is not open. */
    short POLLNVAL = 0x20;

    /** {@code eventfd} flag: non-blocking reads and writes. */
    int EFD_NONBLOCK = 04000;

    /** SysV IPC flag: create the key if it does not exist. */
    int IPC_CREAT = 01000;
    /** SysV IPC flag: with {@link #IPC_CREAT}, fail with {@code EEXIST} if the key exists. */
    int IPC_EXCL = 02000;
    /** SysV IPC flag: fail with {@code EAGAIN} instead of blocking. */
    short IPC_NOWAIT = 04000;
    /** {@code semctl} command: remove the semaphore set. */
    int IPC_RMID = 0;
    /** {@code semctl} command: read a semaphore's value. */
    int GETVAL = 12;
    /** {@code semctl} command: set a semaphore's value. */
    int SETVAL = 16;

    /** The backend's short name: {@code ffm}, {@code jnr} or {@code jna}. */
    String backend();

    /**
     * Opens a file. {@code O_CLOEXEC} is always added, so descriptors never leak into child
     * processes.
     *
     * @return the file descriptor
     */
    int open(String path, int flags) throws ErrnoException;

    /** Closes a file descriptor. */
    void close(int fd) throws ErrnoException;

    /**
     * Issues {@code ioctl(fd, request, address)} where the address is that of the buffer's
     * current position. The buffer must be direct; the kernel reads and writes it in place.
     *
     * @return the ioctl's non-negative result
     */
    int ioctl(int fd, long request, ByteBuffer argument) throws ErrnoException;

    /**
     * {@link #ioctl} for a request the caller knows cannot sleep for long in the kernel: it reads
     * in-memory state under at most a short lock, never waits for I/O, an event or another
     * process. A backend may then skip the transition out of Java of a call that can block (FFM:
     * {@code Linker.Option.critical}), which makes a JVM safepoint wait for the call to return:
     * never use it for suspend, remove, wait, load, messages or target status (a thin pool's status
     * commits its metadata). By default it is {@link #ioctl}.
     *
     * @return the ioctl's non-negative result
     */
    default int ioctlNonBlocking(int fd, long request, ByteBuffer argument) throws ErrnoException {
        return ioctl(fd, request, argument);
    }

    /**
     * Waits until one of the descriptors is ready or the timeout expires. The three arrays are
     * parallel ({@code struct pollfd}); {@code revents} receives the result.
     *
     * @param timeoutMillis milliseconds to wait; negative waits forever
     * @return the number of ready descriptors, 0 on timeout
     */
    int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws ErrnoException;

    /**
     * Creates an eventfd: a counter that {@link #poll} sees as readable while it is non-zero; a
     * way to wake a thread blocked in {@code poll}. {@code O_CLOEXEC} is always added.
     */
    int eventfd(int initialValue, int flags) throws ErrnoException;

    /**
     * Reads into the buffer's remaining space and advances its position.
     *
     * @return bytes read; 0 at end of file
     */
    int read(int fd, ByteBuffer destination) throws ErrnoException;

    /**
     * Writes the buffer's remaining bytes (as many as the kernel takes) and advances its position.
     *
     * @return bytes written
     */
    int write(int fd, ByteBuffer source) throws ErrnoException;

    /**
     * Gets or creates a SysV semaphore set.
     *
     * @return the set's identifier
     */
    int semget(int key, int count, int flags) throws ErrnoException;

    /**
     * Controls a semaphore: {@link #SETVAL}, {@link #GETVAL}, {@link #IPC_RMID}.
     *
     * @param argument the value for {@link #SETVAL}, else ignored
     * @return the command's result, e.g. the value for {@link #GETVAL}
     */
    int semctl(int semid, int semaphore, int command, int argument) throws ErrnoException;

    /**
     * One semaphore operation ({@code semtimedop} with one {@code struct sembuf}): adds
     * {@code operation}, or with 0 waits for the value to become zero.
     *
     * @param flags {@link #IPC_NOWAIT} or 0
     * @param timeoutNanos how long to wait at most; negative waits forever. When it expires the
     *     call fails with {@code EAGAIN}.
     */
    void semop(int semid, int semaphore, int operation, short flags, long timeoutNanos) throws ErrnoException;

    /**
     * Creates a device node ({@code mknod(2)}): Java's file API cannot. Used where no udev
     * manages {@code /dev/mapper}.
     *
     * @param mode file type and permissions, e.g. {@code S_IFBLK | 0600}
     * @param major the device's major number
     * @param minor the device's minor number
     */
    void mknod(String path, int mode, int major, int minor) throws ErrnoException;

    /** Socket domain: netlink, how the kernel talks to user space ({@code AF_NETLINK}). */
    int AF_NETLINK = 16;
    /** Socket domain: IPv4 ({@code AF_INET}). */
    int AF_INET = 2;
    /** Socket type: datagrams ({@code SOCK_DGRAM}). */
    int SOCK_DGRAM = 2;
    /** {@code socket} type flag: non-blocking ({@code SOCK_NONBLOCK}). */
    int SOCK_NONBLOCK = 04000;
    /** Netlink protocol of the kernel's device uevents ({@code NETLINK_KOBJECT_UEVENT}). */
    int NETLINK_KOBJECT_UEVENT = 15;
    /** {@code setsockopt} level of the generic socket options. */
    int SOL_SOCKET = 1;
    /** Socket option: receive buffer size, capped by {@code net.core.rmem_max}. */
    int SO_RCVBUF = 8;
    /** Socket option: receive buffer size above the cap; needs {@code CAP_NET_ADMIN}. */
    int SO_RCVBUFFORCE = 33;

    /**
     * Creates a socket ({@code socket(2)}); {@code SOCK_CLOEXEC} is always added. Sockets are the
     * kernel's way to announce device changes (netlink uevents). Receive with {@link #read}, which
     * takes one datagram.
     *
     * @param type e.g. {@link #SOCK_DGRAM}, optionally with {@link #SOCK_NONBLOCK}
     * @return the descriptor
     */
    default int socket(int domain, int type, int protocol) throws ErrnoException {
        throw new ErrnoException("socket", "domain " + domain, Errno.ENOSYS.number());
    }

    /**
     * Binds a socket to an address ({@code bind(2)}).
     *
     * @param address the {@code struct sockaddr} bytes: the buffer's remaining bytes, direct
     */
    default void bind(int fd, ByteBuffer address) throws ErrnoException {
        throw new ErrnoException("bind", "fd " + fd, Errno.ENOSYS.number());
    }

    /** Sets an {@code int} socket option ({@code setsockopt(2)}), e.g. {@link #SO_RCVBUF}. */
    default void setsockopt(int fd, int level, int option, int value) throws ErrnoException {
        throw new ErrnoException("setsockopt", "fd " + fd, Errno.ENOSYS.number());
    }

    /** {@code mknod} file type: block device. */
    int S_IFBLK = 0060000;
    /** {@code mknod} file type: character device. */
    int S_IFCHR = 0020000;

    /** The backend chosen by {@value #BACKEND_PROPERTY}, or else the best available one. */
    static Syscalls get() {
        return Backends.selected();
    }

    /**
     * A specific backend.
     *
     * @throws IllegalStateException naming the reason and the available backends if it cannot
     *     be used here
     * @throws IllegalArgumentException if there is no backend of that name
     */
    static Syscalls get(String backend) {
        return Backends.byName(backend);
    }

    /**
     * Each backend, dm4j's three and any other installed, in the order {@link #get()} tries them,
     * with whether it can be used here and, if not, why. Asking creates every installed backend.
     */
    static List<BackendStatus> backends() {
        return Backends.statuses();
    }

    /**
     * Whether a backend can be used on this JVM.
     *
     * @param name the backend's short name
     * @param unavailableReason why it cannot be used, or {@code null} if it can
     */
    record BackendStatus(String name, String unavailableReason) {
        /** True if the backend can be used here. */
        public boolean available() {
            return unavailableReason == null;
        }
    }
}
