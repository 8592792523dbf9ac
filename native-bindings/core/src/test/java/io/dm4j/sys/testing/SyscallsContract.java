package io.dm4j.sys.testing;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    @Test
    public void heapBuffersAndNulBytesAreRejectedBeforeAnyCall() {
        assertThatThrownBy(() -> sys.ioctl(0, FIONREAD, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
        assertThatThrownBy(() -> sys.open("/tmp/a\0b", Syscalls.O_RDONLY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
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
