package com.example.volumes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.volumes.VolumeManager.Volume;
import io.dm4j.DeviceMapper;
import io.dm4j.testkit.DeviceNames;
import io.dm4j.testkit.RequiresDeviceMapper;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import io.dm4j.testkit.Scratch;
import io.dm4j.testkit.ScratchDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VolumeManagerContract} on the kernel's device-mapper, as root (a privileged container, a
 * throwaway VM). FAIL, not SKIP, where there is none: this class runs only where it must run, and a
 * run that skipped it must not pass. The testkit gives each test a scratch loop device, a client
 * and a name prefix, and after the test removes whatever is left under that prefix and fails it.
 */
@RequiresDeviceMapper(onMissing = Missing.FAIL)
class VolumeManagerIT extends VolumeManagerContract {

    @BeforeEach
    void realKernel(DeviceMapper dm, DeviceNames names, @Scratch(size = "16M") ScratchDisk disk) {
        assertEquals(DISK, disk.sectors());
        this.dm = dm;
        // The testkit's prefix: what the tests leave is found and removed, and nobody else's device is touched.
        volumes = new VolumeManager(dm, disk.number(), disk.sectors(), names.prefix(), Duration.ofSeconds(1));
    }

    @Override
    protected AutoCloseable holdOpen(String device) throws IOException {
        return FileChannel.open(node(device), StandardOpenOption.READ);
    }

    /** Only on a real kernel: data, and the block device's size as the kernel reports it. */
    @Test
    void growingKeepsTheDataAndTheKernelSeesTheNewSize() throws IOException {
        volumes.create("a", 4 * MIB);
        Volume b = volumes.create("b", 4 * MIB);
        byte[] data = "written before the grow".getBytes(StandardCharsets.UTF_8);
        long lastMib = 3 * MIB * 512;
        try (FileChannel ch = FileChannel.open(node(b.device()), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), lastMib);
            ch.force(false);
        }

        Volume grown = volumes.grow("b", 10 * MIB);

        assertEquals(10 * MIB, sysfsSectors(grown));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        try (FileChannel ch = FileChannel.open(node(b.device()), StandardOpenOption.READ)) {
            ch.read(back, lastMib);
        }
        assertArrayEquals(data, back.array());
        volumes.remove("a");
        volumes.remove("b");
    }

    private static Path node(String device) {
        return Path.of("/dev/mapper", device);
    }

    private static long sysfsSectors(Volume v) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/dev/block", v.number().toString(), "size")).strip());
    }
}
