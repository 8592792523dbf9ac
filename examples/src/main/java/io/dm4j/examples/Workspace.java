package io.dm4j.examples;

import com.sun.nio.file.ExtendedOpenOption;
import io.dm4j.CreateOptions;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.registry.DeviceChannel;
import io.dm4j.registry.TableRegistry;
import io.dm4j.target.Table;
import io.dm4j.testkit.ScratchDisk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * What every example needs, in one place: scratch disks in a temporary folder, a device-mapper
 * client, a table registry, device names that cannot clash with anyone else's, block I/O that
 * bypasses the page cache, and a cleanup that removes everything it made, stacked devices first.
 */
public final class Workspace implements AutoCloseable {
    /** I/O goes straight to the device (O_DIRECT), so every read sees what the kernel maps now. */
    private static final int ALIGN = 4096;

    private final PrintStream out;
    private final String prefix;
    private final Path dir;
    private final DeviceMapper dm;
    private final TableRegistry registry;
    private final List<ScratchDisk> disks = new ArrayList<>();
    private final Deque<String> devices = new ArrayDeque<>();

    private Workspace(PrintStream out, String prefix, Path dir, DeviceMapper dm) {
        this.out = out;
        this.prefix = prefix;
        this.dir = dir;
        this.dm = dm;
        this.registry = TableRegistry.open(dm);
    }

    /**
     * A workspace for the example of that name, narrating to {@code out}.
     *
     * @throws HostDeviceMapper.NotUsableException if this host has no usable device-mapper; then
     *     nothing was made
     */
    public static Workspace open(String example, PrintStream out) throws IOException {
        DeviceMapper dm = HostDeviceMapper.open(); // first: a host without it gets nothing made
        try {
            Path dir = Files.createTempDirectory("dm4j-" + example + "-");
            try {
                return new Workspace(out, "dm4j-" + example + "-" + ProcessHandle.current().pid() + "-", dir, dm);
            } catch (RuntimeException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            dm.close();
            throw e;
        }
    }

    /** Prints one line of narration. */
    public void say(String text) {
        out.println(text);
        out.flush();
    }

    public DeviceMapper dm() {
        return dm;
    }

    public TableRegistry registry() {
        return registry;
    }

    /** A new scratch disk (a loop device over a sparse file) of {@code mib} MiB. */
    public ScratchDisk disk(String label, int mib) throws IOException {
        ScratchDisk d = ScratchDisk.create(dir, label, (long) mib << 20);
        disks.add(d);
        return d;
    }

    /** This workspace's name for a device in the given role. */
    public String name(String role) {
        return prefix + role;
    }

    /** Creates a managed device with this table live; the workspace removes it on close. */
    public String create(String role, Table table) throws IOException {
        String name = name(role);
        registry.create(name, CreateOptions.defaults(), table);
        devices.push(name);
        return name;
    }

    /** The block device number of one of this workspace's devices. */
    public DeviceNumber number(String name) throws IOException {
        return dm.info(name).device();
    }

    /** Removes a device now, waiting for its holders, and verifies it is gone. */
    public void remove(String name) throws IOException {
        registry.remove(name);
        devices.remove(name);
    }

    /** Writes {@code data} at byte {@code offset} (both multiples of 4 KiB) and flushes it. */
    public void write(String name, long offset, byte[] data) throws IOException {
        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            ByteBuffer buf = aligned(data.length).put(data).flip();
            while (buf.hasRemaining()) {
                ch.write(buf, offset + buf.position());
            }
            ch.force();
        }
    }

    /** Reads {@code length} bytes at byte {@code offset} (both multiples of 4 KiB). */
    public byte[] read(String name, long offset, int length) throws IOException {
        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            return readFully(ch, offset, length);
        }
    }

    /** Reads from a scratch disk directly, beneath device-mapper. */
    public byte[] read(ScratchDisk disk, long offset, int length) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(Path.of(disk.path()), StandardOpenOption.READ,
                ExtendedOpenOption.DIRECT)) {
            ByteBuffer buf = aligned(length);
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // until full
            }
            return bytes(buf);
        }
    }

    private static byte[] readFully(DeviceChannel ch, long offset, int length) throws IOException {
        ByteBuffer buf = aligned(length);
        while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
            // until full
        }
        return bytes(buf);
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] b = new byte[buf.position()];
        buf.flip().get(b);
        return b;
    }

    private static ByteBuffer aligned(int length) {
        return ByteBuffer.allocateDirect(length + ALIGN).alignedSlice(ALIGN).limit(length);
    }

    /** {@code length} reproducible pseudo-random bytes: different seeds, different data. */
    public static byte[] pattern(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Removes every device still here (the last made first), then the scratch disks and folder. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        while (!devices.isEmpty()) {
            String name = devices.pop();
            if (!registry.devices().contains(name)) {
                continue; // the example removed it itself
            }
            try {
                registry.remove(name);
            } catch (IOException e) {
                failure = add(failure, e);
            }
        }
        registry.close();
        for (ScratchDisk d : disks) {
            try {
                d.close();
            } catch (IOException e) {
                failure = add(failure, e);
            }
        }
        dm.close();
        Files.deleteIfExists(dir);
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException add(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
