package io.dm4j.internal.loop;

import io.dm4j.DeviceNumber;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loop devices through the loop driver's own ioctls, never a {@code losetup} process: attached with
 * auto-clear, so the kernel detaches one when its last opener closes it, even if the program that
 * made it is killed. The testkit's {@code ScratchDisk} and dm4j's own tests build on it.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own modules; it may change in any release.
 */
public final class Loops {
    // <linux/loop.h>; the testkit's ScratchDiskLayoutTest checks these against the header with gcc.
    public static final long LOOP_CTL_GET_FREE = 0x4C82;
    public static final long LOOP_CONFIGURE = 0x4C0A;
    public static final long LOOP_CLR_FD = 0x4C01;
    public static final int LOOP_CONFIG_SIZE = 304;
    public static final int CONFIG_FD = 0;
    public static final int CONFIG_FLAGS = 60;
    public static final int CONFIG_FILE_NAME = 64;
    public static final int LO_NAME_SIZE = 64;
    public static final int LO_FLAGS_AUTOCLEAR = 4;

    private Loops() {}

    /**
     * A loop device attached to a file: its node, its number, and the descriptor whose close lets
     * the kernel detach it.
     */
    public record Attached(String path, DeviceNumber number, int fd) {}

    /**
     * Attaches a free loop device to an existing file, read-write, with auto-clear. Retries when
     * another program takes the free device first.
     */
    public static Attached attach(Syscalls sys, Path file) throws IOException {
        int backing = sys.open(file.toString(), Syscalls.O_RDWR);
        try {
            for (int attempt = 0; ; attempt++) {
                int n = freeLoopNumber(sys);
                String path = "/dev/loop" + n;
                // read before the loop device is set up: nothing may fail between that and the handover
                DeviceNumber number = DeviceNumber.parse(Files.readString(Path.of("/sys/block/loop" + n + "/dev")).strip());
                int loop = sys.open(path, Syscalls.O_RDWR);
                try {
                    sys.ioctl(loop, LOOP_CONFIGURE, config(backing, file));
                    return new Attached(path, number, loop);
                } catch (ErrnoException e) {
                    sys.close(loop);
                    // another program took this loop device between GET_FREE and CONFIGURE
                    if (!e.is(Errno.EBUSY) || attempt >= 10) {
                        throw e;
                    }
                }
            }
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

    /**
     * True while the loop driver has a file of this name attached under this node. A file name
     * unique to its maker tells its device from another program's once the number is reused; the
     * kernel's path for it may differ above the name (mounts) and end in " (deleted)".
     */
    public static boolean attached(String path, String fileName) {
        try {
            return Files.readString(Path.of("/sys/block", Path.of(path).getFileName().toString(), "loop",
                    "backing_file")).contains(fileName);
        } catch (IOException e) {
            return false; // no backing_file: detached
        }
    }

    /**
     * Asks the loop driver to detach the device ({@code LOOP_CLR_FD}): at once if nothing else
     * has it open, otherwise (the kernel's rule) when its last opener closes it.
     *
     * @param fd an open descriptor of the device, or -1 to open the node for the call
     */
    public static void clear(Syscalls sys, String path, int fd) throws IOException {
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

    /**
     * Closes the descriptor that keeps the device and waits (up to two seconds) for the kernel's
     * auto-clear to detach it, which it does once no device-mapper table uses it any more.
     *
     * @return true if it is detached
     */
    public static boolean release(Syscalls sys, Attached loop, String fileName) throws IOException {
        sys.close(loop.fd());
        for (int i = 0; i < 100 && attached(loop.path(), fileName); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !attached(loop.path(), fileName);
    }
}
