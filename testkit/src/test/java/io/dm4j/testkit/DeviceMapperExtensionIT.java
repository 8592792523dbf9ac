package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceMapper;
import io.dm4j.TargetLine;
import io.dm4j.registry.TableRegistry;
import io.dm4j.testing.RealKernel;
import io.dm4j.testkit.InnerRun.Outcome;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension on the real kernel: what it injects works, and what a test leaks is removed and named. */
@ExtendWith(RealKernel.class)
@RequiresDeviceMapper(onMissing = Missing.FAIL)
class DeviceMapperExtensionIT {
    private static final long OFFSET_SECTORS = 2048;
    /** A device of this run that the leaky test makes without its DeviceNames. */
    private static final String BYSTANDER = RealKernel.name("bystander");

    @Test
    void injectsAClientNamesAndAScratchDisk(DeviceMapper dm, TableRegistry registry, DeviceNames names,
            @Scratch(size = "16M") ScratchDisk disk) throws IOException {
        assertThat(disk.sectors()).isEqualTo(16 * 2048);
        assertThat(names.prefix()).startsWith(RealKernel.prefix());
        String writer = names.next("linear");
        String reader = names.next("linear");
        byte[] data = "written through /dev/mapper".getBytes(StandardCharsets.UTF_8);
        linear(dm, writer, disk);
        try (FileChannel ch = FileChannel.open(Path.of("/dev/mapper", writer), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), 4096);
            ch.force(false);
        }
        // A second device over the same sectors has no page cache yet: it reads what reached the disk.
        linear(dm, reader, disk);
        ByteBuffer back = ByteBuffer.allocate(data.length);
        try (FileChannel ch = FileChannel.open(Path.of("/dev/mapper", reader), StandardOpenOption.READ)) {
            ch.read(back, 4096);
        }
        assertThat(back.array()).isEqualTo(data);
        assertThat(registry.devices()).isEmpty();
        dm.remove(reader);
        dm.remove(writer);
    }

    @Test
    void aLeakFailsTheTestAndIsCleanedUp() throws IOException {
        Map<String, Outcome> run = InnerRun.of(Leaky.class);
        Outcome leaky = run.get("leavesADeviceAndALoopDevice(DeviceMapper, DeviceNames, ScratchDisk)");
        assertThat(leaky.status()).isEqualTo("FAILED");
        assertThat(leaky.message()).contains("left 3 device(s) behind, now removed: ")
                .contains("device-mapper device " + Leaky.device).contains("device-mapper device " + Leaky.stacked)
                .contains("loop device " + Leaky.unclosed + ": a ScratchDisk the test made and did not close");
        assertThat(leaky.message()).doesNotContain(BYSTANDER);
        try (DeviceMapper dm = DeviceMapper.open()) {
            assertThat(dm.list(Leaky.prefix, "")).isEmpty();
            assertThat(dm.info(BYSTANDER).name()).as("a device the test did not name is left alone").isEqualTo(BYSTANDER);
            dm.remove(BYSTANDER);
        }
        assertThat(Leaky.unclosed.attached()).as("the unclosed disk is detached").isFalse();
        assertThat(Leaky.given.attached()).as("the injected disk is detached").isFalse();
    }

    private static void linear(DeviceMapper dm, String name, ScratchDisk disk) throws IOException {
        dm.create(name);
        dm.load(name, List.of(new TargetLine(0, disk.sectors() - OFFSET_SECTORS, "linear",
                disk.number() + " " + OFFSET_SECTORS)));
        dm.resume(name);
    }

    /**
     * Run only through {@link InnerRun}: a test that forgets to clean up, two devices and a disk,
     * and also leaves a device it did not name through its DeviceNames.
     */
    @RequiresDeviceMapper(onMissing = Missing.FAIL)
    static class Leaky {
        static volatile String prefix;
        static volatile String device;
        static volatile String stacked;
        static volatile ScratchDisk given;
        static volatile ScratchDisk unclosed;

        @Test
        void leavesADeviceAndALoopDevice(DeviceMapper dm, DeviceNames names, @Scratch(size = "16M") ScratchDisk disk)
                throws IOException {
            prefix = names.prefix();
            device = names.next("forgotten");
            given = disk;
            linear(dm, device, disk);
            // One on top: the one below stays busy until it is gone, whatever order they are found in.
            stacked = names.next("stacked");
            dm.create(stacked);
            dm.load(stacked, List.of(new TargetLine(0, 2048, "linear", dm.info(device).device() + " 0")));
            dm.resume(stacked);
            dm.create(BYSTANDER);
            unclosed = ScratchDisk.create(Path.of(System.getProperty("java.io.tmpdir")), "forgotten", 1 << 20);
        }
    }
}
