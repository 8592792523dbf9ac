package io.dm4j.sys.testing;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend must do, the same way: each backend module runs this suite against its own
 * backend, on JDK 25 and on JDK 17.
 */
public abstract class SyscallsContract {
    /** {@code FIONREAD}: bytes readable; on a regular file, size minus offset. */
    private static final long FIONREAD = 0x541BL;
    /** {@code BLKGETSIZE64}: a block-device ioctl, so a regular file answers ENOTTY. */
    private static final long BLKGETSIZE64 = 0x80081272L;
    /** The flag the socket wrapper always adds; /proc shows it among a descriptor's flags. */
    private static final int O_CLOEXEC = 02000000;
    /** {@code SO_REUSEADDR}: an int option whose effect on bind shows whether its value arrived. */
    private static final int SO_REUSEADDR = 2;

    @TempDir
    Path dir;

    /** The backend under test, e.g. {@code "jnr"}. */
    protected abstract String backend();

    /** The backend under test, as {@link Syscalls#get(String)} returns it. */
    protected Syscalls sys;

    @BeforeEach
    public void bindBackend() {
        sys = Syscalls.get(backend());
        assertThat(sys.backend()).isEqualTo(backend());
    }

    @Test
    public void opensAndClosesARealFile() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "hello");
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        assertThat(fd).isGreaterThan(2);
        sys.close(fd);
        assertThatThrownBy(() -> sys.close(fd))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EBADF");
                    assertThat(e.call()).isEqualTo("close");
                });
    }

    @Test
    public void openOfAMissingFileFailsWithEnoent() {
        String missing = dir.resolve("missing").toString();
        assertThatThrownBy(() -> sys.open(missing, Syscalls.O_RDONLY))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.is(Errno.ENOENT)).isTrue();
                    assertThat(e.subject()).isEqualTo(missing);
                    assertThat(e.getMessage()).contains("open(" + missing + "): ENOENT (No such file or directory)");
                });
    }

    @Test
    public void ioctlWritesAtTheBufferPosition() throws IOException {
        Path file = Files.write(dir.resolve("data"), new byte[12345]);
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
            buf.position(8);
            assertThat(sys.ioctl(fd, FIONREAD, buf)).isZero();
            assertThat(buf.getInt(8)).isEqualTo(12345);
            assertThat(buf.getInt(0)).isZero();
        } finally {
            sys.close(fd);
        }
    }

    @Test
    public void blockIoctlOnARegularFileFailsWithEnotty() throws IOException {
        Path file = Files.write(dir.resolve("data"), new byte[512]);
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            assertThatThrownBy(() -> sys.ioctl(fd, BLKGETSIZE64, buf))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOTTY"));
        } finally {
            sys.close(fd);
        }
    }

    /** The path for requests that cannot sleep answers as the ordinary call, errno included. */
    @Test
    public void nonBlockingIoctlAnswersAndFailsAsTheOrdinaryOne() throws IOException {
        Path file = Files.write(dir.resolve("data"), new byte[777]);
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            buf.position(4);
            assertThat(sys.ioctlNonBlocking(fd, FIONREAD, buf)).isZero();
            assertThat(buf.getInt(4)).isEqualTo(777);
            assertThatThrownBy(() -> sys.ioctlNonBlocking(fd, BLKGETSIZE64, buf))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOTTY"));
            assertThatThrownBy(() -> sys.ioctlNonBlocking(0, FIONREAD, ByteBuffer.allocate(8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
        } finally {
            sys.close(fd);
        }
    }

    @Test
    public void heapBuffersAndNulBytesAreRejectedBeforeAnyCall() {
        assertThatThrownBy(() -> sys.ioctl(0, FIONREAD, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
        assertThatThrownBy(() -> sys.open("/tmp/a\0b", Syscalls.O_RDONLY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> sys.bind(0, ByteBuffer.allocate(16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
    }

    @Test
    public void pollTimesOutOnAQuietEventfdAndWakesWhenItIsWritten() throws IOException {
        int efd = sys.eventfd(0, Syscalls.EFD_NONBLOCK);
        try {
            int[] fds = {efd, 987654};
            short[] events = {Syscalls.POLLIN, Syscalls.POLLIN};
            short[] revents = new short[2];
            // The bogus descriptor is reported as POLLNVAL at once; the eventfd stays quiet.
            assertThat(sys.poll(new int[] {efd}, new short[] {Syscalls.POLLIN}, revents = new short[1], 50)).isZero();
            assertThat(revents[0]).isZero();
            revents = new short[2];
            assertThat(sys.poll(fds, events, revents, 50)).isEqualTo(1);
            assertThat(revents[1] & Syscalls.POLLNVAL).isNotZero();

            ByteBuffer counter = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            assertThatThrownBy(() -> sys.read(efd, counter))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("EAGAIN"));
            counter.putLong(0, 3).clear();
            assertThat(sys.write(efd, counter)).isEqualTo(8);
            assertThat(counter.hasRemaining()).isFalse();
            assertThat(sys.poll(new int[] {efd}, new short[] {Syscalls.POLLIN}, revents = new short[1], 5000)).isEqualTo(1);
            assertThat(revents[0] & Syscalls.POLLIN).isNotZero();
            counter.clear();
            assertThat(sys.read(efd, counter)).isEqualTo(8);
            assertThat(counter.getLong(0)).isEqualTo(3);
        } finally {
            sys.close(efd);
        }
    }

    @Test
    public void semaphoresAreCreatedCountedWaitedAndRemoved() throws IOException {
        int key = 0x0D4D0000 | ThreadLocalRandom.current().nextInt(1, 0xffff);
        int id = sys.semget(key, 1, Syscalls.IPC_CREAT | Syscalls.IPC_EXCL | 0600);
        try {
            assertThatThrownBy(() -> sys.semget(key, 1, Syscalls.IPC_CREAT | Syscalls.IPC_EXCL | 0600))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
            assertThat(sys.semget(key, 1, 0)).isEqualTo(id);
            sys.semctl(id, 0, Syscalls.SETVAL, 1);
            sys.semop(id, 0, 1, (short) 0, -1);
            assertThat(sys.semctl(id, 0, Syscalls.GETVAL, 0)).isEqualTo(2);
            sys.semop(id, 0, -1, Syscalls.IPC_NOWAIT, -1);
            // Waiting for zero while the value is 1 times out with EAGAIN.
            assertThatThrownBy(() -> sys.semop(id, 0, 0, (short) 0, 20_000_000L))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("EAGAIN");
                        assertThat(e.call()).isEqualTo("semtimedop");
                    });
            assertThatThrownBy(() -> sys.semop(id, 0, -2, Syscalls.IPC_NOWAIT, -1))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("EAGAIN"));
            sys.semop(id, 0, -1, (short) 0, 1_000_000_000L);
            sys.semop(id, 0, 0, (short) 0, 1_000_000_000L);
            assertThat(sys.semctl(id, 0, Syscalls.GETVAL, 0)).isZero();
        } finally {
            sys.semctl(id, 0, Syscalls.IPC_RMID, 0);
        }
        assertThatThrownBy(() -> sys.semctl(id, 0, Syscalls.GETVAL, 0))
                .isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errnoName()).isIn("EINVAL", "EIDRM"));
    }

    @Test
    public void blockDeviceSizeOfARealLoopDevice() throws Exception {
        Path image = dir.resolve("loop.img");
        long size = 24L << 20;
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        String loop = Commands.check("losetup", "--find", "--show", image.toString()).strip();
        try {
            int fd = sys.open(loop, Syscalls.O_RDONLY);
            try {
                ByteBuffer buf = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                assertThat(sys.ioctl(fd, BLKGETSIZE64, buf)).isZero();
                assertThat(buf.getLong(0)).isEqualTo(size);
            } finally {
                sys.close(fd);
            }
        } finally {
            Commands.check("losetup", "--detach", loop);
        }
    }

    @Test
    public void mknodMakesABlockDeviceNode() throws IOException {
        Path node = dir.resolve("loop-node");
        sys.mknod(node.toString(), Syscalls.S_IFBLK | 0600, 7, 300);
        // stat's st_rdev in glibc's layout: minor 300 = 0x12c spreads over bits 0-7 and 20-31.
        long rdev = (Long) Files.getAttribute(node, "unix:rdev");
        assertThat(((rdev >>> 8) & 0xfff)).isEqualTo(7);
        assertThat((rdev & 0xff) | ((rdev >>> 12) & ~0xffL)).isEqualTo(300);
        assertThat(Files.getPosixFilePermissions(node)).hasSize(2);
        assertThatThrownBy(() -> sys.mknod(node.toString(), Syscalls.S_IFBLK | 0600, 7, 300))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.call()).isEqualTo("mknod");
                });
    }

    @Test
    public void udpDatagramFromJavaIsReadFromABoundSocket() throws IOException {
        int fd = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
        try {
            assertThat(fdFlags(fd) & (O_CLOEXEC | Syscalls.O_NONBLOCK)).isEqualTo(O_CLOEXEC);
            sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, 65536);
            int port = bindToLoopback(fd);
            byte[] payload = ("datagram for " + sys.backend()).getBytes(StandardCharsets.UTF_8);
            try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
                sender.send(ByteBuffer.wrap(payload), new InetSocketAddress(loopback(), port));
            }
            // The socket blocks: poll first, so that a datagram that never arrives fails the test
            // instead of hanging it.
            short[] revents = new short[1];
            assertThat(sys.poll(new int[] {fd}, new short[] {Syscalls.POLLIN}, revents, 5000)).isEqualTo(1);
            ByteBuffer received = ByteBuffer.allocateDirect(256);
            received.position(3);
            assertThat(sys.read(fd, received)).isEqualTo(payload.length);
            byte[] bytes = new byte[payload.length];
            received.flip().position(3);
            received.get(bytes);
            assertThat(bytes).isEqualTo(payload);
        } finally {
            sys.close(fd);
        }
    }

    @Test
    public void nonBlockingSocketWithNothingQueuedFailsWithEagain() throws IOException {
        int fd = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM | Syscalls.SOCK_NONBLOCK, 0);
        try {
            // Checked before reading: a socket that blocks would hang the read below for ever.
            assertThat(fdFlags(fd) & (O_CLOEXEC | Syscalls.O_NONBLOCK)).isEqualTo(O_CLOEXEC | Syscalls.O_NONBLOCK);
            bindToLoopback(fd);
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            assertThatThrownBy(() -> sys.read(fd, buf))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("EAGAIN");
                        assertThat(e.call()).isEqualTo("read");
                    });
            assertThat(buf.position()).isZero();
        } finally {
            sys.close(fd);
        }
    }

    /** Two UDP sockets may bind one port only if both set SO_REUSEADDR to 1 before binding. */
    @Test
    public void setsockoptPassesItsValueToTheKernel() throws IOException {
        int first = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
        try {
            sys.setsockopt(first, Syscalls.SOL_SOCKET, SO_REUSEADDR, 1);
            int port = bindToLoopback(first);
            int second = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
            try {
                sys.setsockopt(second, Syscalls.SOL_SOCKET, SO_REUSEADDR, 0);
                assertThatThrownBy(() -> sys.bind(second, loopbackAddress(port)))
                        .isInstanceOfSatisfying(ErrnoException.class, e -> {
                            assertThat(e.errnoName()).isEqualTo("EADDRINUSE");
                            assertThat(e.call()).isEqualTo("bind");
                        });
                sys.setsockopt(second, Syscalls.SOL_SOCKET, SO_REUSEADDR, 1);
                sys.bind(second, loopbackAddress(port));
            } finally {
                sys.close(second);
            }
        } finally {
            sys.close(first);
        }
    }

    @Test
    public void netlinkUeventSocketOpensAndJoinsTheUeventGroup() throws IOException {
        int fd = sys.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_DGRAM | Syscalls.SOCK_NONBLOCK,
                Syscalls.NETLINK_KOBJECT_UEVENT);
        try {
            // A socket that blocks would hang the read below on a quiet host.
            assertThat(fdFlags(fd) & Syscalls.O_NONBLOCK).isNotZero();
            // struct sockaddr_nl { u16 nl_family; u16 pad; u32 nl_pid; u32 nl_groups; }; pid 0
            // lets the kernel choose.
            ByteBuffer address = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            address.putShort(0, (short) Syscalls.AF_NETLINK).putInt(8, 1);
            sys.bind(fd, address);
            assertThat(netlinkGroups(fd)).isEqualTo("00000001");
            // Whether this host is emitting uevents right now is not ours to know: either answer is right.
            ByteBuffer buf = ByteBuffer.allocateDirect(8192);
            try {
                assertThat(sys.read(fd, buf)).isPositive();
            } catch (ErrnoException e) {
                assertThat(e.errnoName()).isEqualTo("EAGAIN");
            }
        } finally {
            sys.close(fd);
        }
    }

    @Test
    public void socketCallErrorsCarryTheCallAndErrno() throws IOException {
        assertThatThrownBy(() -> sys.socket(12345, Syscalls.SOCK_DGRAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EAFNOSUPPORT");
                    assertThat(e.call()).isEqualTo("socket");
                });
        int efd = sys.eventfd(0, 0);
        try {
            assertThatThrownBy(() -> sys.setsockopt(efd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, 65536))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("ENOTSOCK");
                        assertThat(e.call()).isEqualTo("setsockopt");
                    });
            assertThatThrownBy(() -> sys.bind(efd, loopbackAddress(0)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("ENOTSOCK");
                        assertThat(e.call()).isEqualTo("bind");
                    });
        } finally {
            sys.close(efd);
        }
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    /**
     * {@code struct sockaddr_in} for 127.0.0.1 and the port, between position 8 and the limit, with
     * junk around it: a backend must pass the position's address and the remaining length.
     */
    private static ByteBuffer loopbackAddress(int port) {
        ByteBuffer b = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xff);
        }
        b.putShort(8, (short) Syscalls.AF_INET);
        b.put(10, (byte) (port >>> 8)).put(11, (byte) port);
        b.put(12, (byte) 127).put(13, (byte) 0).put(14, (byte) 0).put(15, (byte) 1);
        b.putLong(16, 0);
        return b.position(8).limit(24);
    }

    /**
     * Binds the socket to 127.0.0.1 on a port Java found free; someone else may take it in
     * between, hence the retries.
     *
     * @return the port
     */
    private int bindToLoopback(int fd) throws IOException {
        for (int attempt = 1;; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(0, loopback())) {
                port = probe.getLocalPort();
            }
            try {
                sys.bind(fd, loopbackAddress(port));
                return port;
            } catch (ErrnoException e) {
                if (!e.is(Errno.EADDRINUSE) || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** The descriptor's flags as the kernel reports them, {@code O_CLOEXEC} included. */
    private static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).strip(), 8);
            }
        }
        throw new AssertionError("no flags in /proc/self/fdinfo/" + fd);
    }

    /** The multicast groups that /proc reports for the netlink socket, as {@code %08x}. */
    private static String netlinkGroups(int fd) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        String inode = link.substring(link.indexOf('[') + 1, link.indexOf(']'));
        // Columns: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        for (String line : Files.readAllLines(Path.of("/proc/self/net/netlink"))) {
            String[] columns = line.strip().split("\\s+");
            if (columns[columns.length - 1].equals(inode)) {
                assertThat(columns[1]).isEqualTo(String.valueOf(Syscalls.NETLINK_KOBJECT_UEVENT));
                return columns[3];
            }
        }
        throw new AssertionError("netlink socket " + link + " is not in /proc/self/net/netlink");
    }

    /** Each thread must see its own call's errno, never another thread's. */
    @Test
    public void errnoBelongsToTheCallingThread() throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[64]);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean enoent = t % 2 == 0;
                results.add(pool.submit(() -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                    for (int i = 0; i < 2000; i++) {
                        if (enoent) {
                            assertThatThrownBy(() -> sys.open(dir.resolve("nope").toString(), Syscalls.O_RDONLY))
                                    .isInstanceOfSatisfying(ErrnoException.class,
                                            e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
                        } else {
                            int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
                            try {
                                assertThatThrownBy(() -> sys.ioctl(fd, BLKGETSIZE64, buf))
                                        .isInstanceOfSatisfying(ErrnoException.class,
                                                e -> assertThat(e.errnoName()).isEqualTo("ENOTTY"));
                            } finally {
                                sys.close(fd);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
