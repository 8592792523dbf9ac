package io.dm4j.testkit;

import io.dm4j.DeviceNumber;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loop device over a sparse file: somewhere to build device-mapper devices without touching a
 * real disk. It is set up with the loop driver's own ioctls (no {@code losetup} process) and with
 * auto-clear, so the kernel detaches it when its last opener closes it, even if this program is
 * killed.
 *
 * <p>In a test, ask {@link DeviceMapperExtension} for one with a {@link Scratch} parameter; it is
 * closed after the test. One made here with {@link #create} during such a test and left open is
 * reported as a leak and detached.
 */
public final class ScratchDisk implements AutoCloseable {
    // <linux/loop.h>; ScratchDiskLayoutTest checks these against the header with gcc.
    static final long LOOP_CTL_GET_FREE = 0x4C82;
    static final long LOOP_CONFIGURE = 0x4C0A;
    static final long LOOP_CLR_FD = 0x4C01;
    static final int LOOP_CONFIG_SIZE = 304;
    static final int CONFIG_FD = 0;
    static final int CONFIG_FLAGS = 60;
    static final int CONFIG_FILE_NAME = 64;
    static final int LO_NAME_SIZE = 64;
    static final int LO_FLAGS_AUTOCLEAR = 4;

    /**
     * The disks made on a test's thread (and threads it starts), so the extension can tell which
     * loop devices are that test's: parallel tests each see only their own.
     */
    static final InheritableThreadLocal<List<ScratchDisk>> MADE_BY_TEST = new InheritableThreadLocal<>();

    private final Syscalls sys;
    private final Path file;
    private final String path;
    private final DeviceNumber number;
    private final long bytes;
    private int fd;

    private ScratchDisk(Syscalls sys, Path file, String path, DeviceNumber number, long bytes, int fd) {
        this.sys = sys;
        this.file = file;
        this.path = path;
        this.number = number;
        this.bytes = bytes;
        this.fd = fd;
    }

    /**
     * A new loop device over a new sparse file of {@code bytes} bytes in {@code dir}.
     *
     * @param dir where the file goes (it is deleted on {@link #close()})
     * @param label part of the file's name, to tell disks apart
     * @param bytes the size, a whole number of 512-byte sectors
     * @return the attached disk; close it
     * @throws IOException if the file cannot be made or no loop device can be attached to it
     */
    public static ScratchDisk create(Path dir, String label, long bytes) throws IOException {
        Syscalls sys = Syscalls.get();
        Path file = Files.createTempFile(dir, "dm4j-" + label + "-", ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
        }
        int backing = sys.open(file.toString(), Syscalls.O_RDWR);
        try {
            for (int attempt = 0; ; attempt++) {
                int n = freeLoopNumber(sys);
                String path = "/dev/loop" + n;
                // read before the loop device is set up: nothing may fail between that and the handover
                DeviceNumber number = number(n);
                int loop = sys.open(path, Syscalls.O_RDWR);
                try {
                    sys.ioctl(loop, LOOP_CONFIGURE, config(backing, file));
                    ScratchDisk disk = new ScratchDisk(sys, file, path, number, bytes, loop);
                    List<ScratchDisk> made = MADE_BY_TEST.get();
                    if (made != null) {
                        made.add(disk);
                    }
                    return disk;
                } catch (ErrnoException e) {
                    sys.close(loop);
                    // another program took this loop device between GET_FREE and CONFIGURE
                    if (!e.is(Errno.EBUSY) || attempt >= 10) {
                        throw e;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        } finally {
            sys.close(backing);
        }
    }

    private static int freeLoopNumber(Syscalls sys) throws IOException {
        int control = sys.open("/dev/loop-control", Syscalls.O_RDWR);
        try {
            return sys.ioctl(control, LOOP_CTL_GET_FREE, ByteBuffer.allocateDirect(8));
        } finally {
            sys.close(control);
        }
    }

    private static ByteBuffer config(int backingFd, Path file) {
        ByteBuffer b = ByteBuffer.allocateDirect(LOOP_CONFIG_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(CONFIG_FD, backingFd);
        b.putInt(CONFIG_FLAGS, LO_FLAGS_AUTOCLEAR);
        byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        b.put(CONFIG_FILE_NAME, name, 0, Math.min(name.length, LO_NAME_SIZE - 1));
        return b;
    }

    private static DeviceNumber number(int n) throws IOException {
        return DeviceNumber.parse(Files.readString(Path.of("/sys/block/loop" + n + "/dev")).strip());
    }

    /** {@return the device node, e.g. {@code /dev/loop3}} */
    public String path() {
        return path;
    }

    /** {@return its {@code major:minor}, as tables name it} */
    public DeviceNumber number() {
        return number;
    }

    /** {@return its size in 512-byte sectors} */
    public long sectors() {
        return bytes / 512;
    }

    /** True until {@link #close()}. */
    boolean isOpen() {
        return fd >= 0;
    }

    /**
     * True while the loop driver still has this disk's file attached under this node. The file's
     * name is unique, and tells ours from another program's once the number is reused; the
     * kernel's path for it may differ above the name (mounts) and end in " (deleted)".
     */
    boolean attached() {
        try {
            return Files.readString(backingFile()).contains(file.getFileName().toString());
        } catch (IOException e) {
            return false; // no backing_file: detached
        }
    }

    /**
     * Asks the loop driver to detach the device ({@code LOOP_CLR_FD}): at once if nothing else
     * has it open, otherwise (the kernel's rule) when its last opener closes it.
     */
    void clear() throws IOException {
        int node = fd >= 0 ? fd : sys.open(path, Syscalls.O_RDONLY);
        try {
            sys.ioctl(node, LOOP_CLR_FD, ByteBuffer.allocateDirect(8));
        } catch (ErrnoException e) {
            if (!e.is(Errno.ENXIO)) { // ENXIO: already detached
                throw e;
            }
        } finally {
            if (node != fd) {
                sys.close(node);
            }
        }
    }

    private Path backingFile() {
        return Path.of("/sys/block", Path.of(path).getFileName().toString(), "loop", "backing_file");
    }

    @Override
    public String toString() {
        return path + " (" + file + ")";
    }

    /**
     * Lets go of the loop device, which the kernel then detaches (once no device-mapper table
     * uses it any more), and deletes the file.
     */
    @Override
    public void close() throws IOException {
        if (fd < 0) {
            return;
        }
        sys.close(fd);
        fd = -1;
        for (int i = 0; i < 100 && attached(); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Files.deleteIfExists(file);
    }
}
