package io.dm4j.testing;

import io.dm4j.sys.testing.Commands;
import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loop device over a sparse file, made with losetup and detached on close. */
public final class LoopDevice implements AutoCloseable {
    private final Path backingFile;
    private final String path;
    private final DeviceNumber number;
    private boolean closed;

    private LoopDevice(Path backingFile, String path, DeviceNumber number) {
        this.backingFile = backingFile;
        this.path = path;
        this.number = number;
    }

    /** Attaches a new loop device over a sparse file of {@code bytes} bytes in {@code dir}. */
    public static LoopDevice create(Path dir, long bytes) throws IOException {
        Path file = Files.createTempFile(dir, "dm4j-loop", ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
        }
        String dev = Commands.check("losetup", "--find", "--show", file.toString()).strip();
        String[] mm = Files.readString(Path.of("/sys/class/block", Path.of(dev).getFileName().toString(), "dev"))
                .strip().split(":");
        return new LoopDevice(file, dev, new DeviceNumber(Integer.parseInt(mm[0]), Integer.parseInt(mm[1])));
    }

    /** The device node, e.g. {@code /dev/loop0}. */
    public String path() {
        return path;
    }

    /** Its {@code major:minor}. */
    public DeviceNumber number() {
        return number;
    }

    /** Size in 512-byte sectors. */
    public long sectors() throws IOException {
        return Files.size(backingFile) / 512;
    }

    /** Detaches the device and deletes the backing file. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            Commands.check("losetup", "--detach", path);
            Files.deleteIfExists(backingFile);
        }
    }
}
