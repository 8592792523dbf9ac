package io.dm4j.testkit;

import io.dm4j.DeviceNumber;
import io.dm4j.internal.loop.Loops;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.io.RandomAccessFile;
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
    /**
     * The disks made on a test's thread (and threads it starts), so the extension can tell which
     * loop devices are that test's: parallel tests each see only their own.
     */
    static final InheritableThreadLocal<List<ScratchDisk>> MADE_BY_TEST = new InheritableThreadLocal<>();

    private final Syscalls sys;
    private final Path file;
    private final Loops.Attached loop;
    private final long bytes;
    private boolean open = true;

    private ScratchDisk(Syscalls sys, Path file, Loops.Attached loop, long bytes) {
        this.sys = sys;
        this.file = file;
        this.loop = loop;
        this.bytes = bytes;
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
        try {
            Loops.Attached loop = Loops.attach(sys, file);
            ScratchDisk disk = new ScratchDisk(sys, file, loop, bytes);
            List<ScratchDisk> made = MADE_BY_TEST.get();
            if (made != null) {
                made.add(disk);
            }
            return disk;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** {@return the device node, e.g. {@code /dev/loop3}} */
    public String path() {
        return loop.path();
    }

    /** {@return its {@code major:minor}, as tables name it} */
    public DeviceNumber number() {
        return loop.number();
    }

    /** {@return its size in 512-byte sectors} */
    public long sectors() {
        return bytes / 512;
    }

    /** True until {@link #close()}. */
    boolean isOpen() {
        return open;
    }

    /**
     * True while the loop driver still has this disk's file attached under this node. The file's
     * name is unique, and tells ours from another program's once the number is reused; the
     * kernel's path for it may differ above the name (mounts) and end in " (deleted)".
     */
    boolean attached() {
        return Loops.attached(loop.path(), file.getFileName().toString());
    }

    /**
     * Asks the loop driver to detach the device ({@code LOOP_CLR_FD}): at once if nothing else
     * has it open, otherwise (the kernel's rule) when its last opener closes it.
     */
    void clear() throws IOException {
        Loops.clear(sys, loop.path(), open ? loop.fd() : -1);
    }

    @Override
    public String toString() {
        return loop.path() + " (" + file + ")";
    }

    /**
     * Lets go of the loop device, which the kernel then detaches (once no device-mapper table
     * uses it any more), and deletes the file.
     */
    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        Loops.release(sys, loop, file.getFileName().toString());
        Files.deleteIfExists(file);
    }
}
