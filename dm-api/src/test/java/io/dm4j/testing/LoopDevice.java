package io.dm4j.testing;

import io.dm4j.DeviceNumber;
import io.dm4j.internal.loop.Loops;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A loop device over a sparse file, attached through the loop driver's ioctls with auto-clear (the
 * testkit's scratch disks do the same), and detached on close.
 */
public final class LoopDevice implements AutoCloseable {
    private final Path backingFile;
    private final Loops.Attached loop;
    private boolean closed;

    private LoopDevice(Path backingFile, Loops.Attached loop) {
        this.backingFile = backingFile;
        this.loop = loop;
    }

    /** Attaches a new loop device over a sparse file of {@code bytes} bytes in {@code dir}. */
    public static LoopDevice create(Path dir, long bytes) throws IOException {
        Path file = Files.createTempFile(dir, "dm4j-loop", ".img");
        try {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(bytes);
            }
            return new LoopDevice(file, Loops.attach(Syscalls.get(), file));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** The device node, e.g. {@code /dev/loop0}. */
    public String path() {
        return loop.path();
    }

    /** Its {@code major:minor}. */
    public DeviceNumber number() {
        return loop.number();
    }

    /** Size in 512-byte sectors. */
    public long sectors() throws IOException {
        return Files.size(backingFile) / 512;
    }

    /**
     * Lets go of the device, which the kernel detaches at once, or when the last device-mapper
     * table that maps it goes, and deletes the backing file.
     */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            Loops.release(Syscalls.get(), loop, backingFile.getFileName().toString());
            Files.deleteIfExists(backingFile);
        }
    }
}
