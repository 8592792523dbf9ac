package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import io.dm4j.testkit.RequiresDeviceMapper;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import io.dm4j.testkit.Scratch;
import io.dm4j.testkit.ScratchDisk;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container runtime's thin-pool snapshotter, driven purely through dmctl's dmsetup personality
 * with the command lines such software runs: a pool on two loop devices, thin volumes and
 * snapshots made by pool messages, a filesystem written and read back through a snapshot,
 * suspend and resume around the snapshot, and the three ways of removing.
 */
@ExtendWith(RealKernel.class)
@RequiresDeviceMapper(onMissing = Missing.FAIL)
class DmsetupWorkflowIT {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    /** {@code dmsetup ARGS}, as a script would run it, answered by dmctl. */
    private static Run dmsetup(String... args) {
        List<String> argv = new ArrayList<>(List.of("--compat", "dmsetup"));
        argv.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Dmctl.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = dmsetup(args);
        assertThat(r.status()).as("dmsetup %s: %s", String.join(" ", args), r.err()).isZero();
        assertThat(r.err()).as("dmsetup %s", String.join(" ", args)).isEmpty();
        return r;
    }

    private static boolean exists(String name) throws IOException {
        return KernelDevices.exists(name);
    }

    @Test
    void aThinPoolSnapshotterWorkflowThroughTheDmsetupPersonality(@Scratch(size = "96M") ScratchDisk meta,
            @Scratch(size = "96M") ScratchDisk data) throws IOException, InterruptedException {
        String pool = RealKernel.name("wf-pool");
        String thin = RealKernel.name("wf-thin");
        String snap = RealKernel.name("wf-snap");
        String doomed = RealKernel.name("wf-doomed");
        long volume = 64L << 11; // 64 MiB in sectors
        List<String> made = new ArrayList<>(List.of(snap, thin, doomed, pool));
        try {
            ok("create", pool, "--table", "0 " + data.sectors() + " thin-pool " + meta.path() + " " + data.path()
                    + " 128 32768 1 skip_block_zeroing");
            assertThat(ok("status", pool).out()).matches("0 " + data.sectors() + " thin-pool 0 \\d+/\\d+ 0/\\d+ .*\n");
            ok("message", pool, "0", "create_thin 1");
            ok("create", thin, "--table", "0 " + volume + " thin /dev/mapper/" + pool + " 1");
            assertThat(ok("info", "-c", "--noheadings", "-o", "attr", thin).out()).isEqualTo("L--w\n");

            Path node = Path.of("/dev/mapper/" + thin);
            Commands.check("mkfs.ext4", "-q", "-F", node.toString());
            Path mnt = Files.createDirectory(dir.resolve("thin"));
            Commands.check("mount", "-t", "ext4", node.toString(), mnt.toString());
            try {
                Files.writeString(mnt.resolve("layer.txt"), "written before the snapshot\n");
                Commands.check("sync");
                // a snapshot of a live volume: suspend it so its pending I/O reaches the pool first
                ok("suspend", thin);
                assertThat(ok("info", "-C", "-o", "suspended", "--noheadings", thin).out()).isEqualTo("Suspended\n");
                ok("message", "/dev/mapper/" + pool, "0", "create_snap 2 1");
                ok("resume", thin);
                Files.writeString(mnt.resolve("layer.txt"), "written after the snapshot\n");
            } finally {
                Commands.check("umount", mnt.toString());
            }
            assertThat(ok("status", thin).out()).matches("0 " + volume + " thin [1-9]\\d* \\d+\n");

            ok("create", snap, "--table", "0 " + volume + " thin /dev/mapper/" + pool + " 2");
            Path snapMnt = Files.createDirectory(dir.resolve("snap"));
            Commands.check("mount", "-t", "ext4", "-o", "ro,noload", "/dev/mapper/" + snap, snapMnt.toString());
            try {
                assertThat(Files.readString(snapMnt.resolve("layer.txt"))).isEqualTo("written before the snapshot\n");
            } finally {
                Commands.check("umount", snapMnt.toString());
            }
            ok("remove", "--retry", snap);
            assertThat(exists(snap)).isFalse();
            ok("message", pool, "0", "delete 2");

            // removed while open: deferred until its last opener lets go
            DeviceNumber number = KernelDevices.number(thin);
            try (FileChannel held = FileChannel.open(node, StandardOpenOption.READ)) {
                Run busy = dmsetup("remove", thin);
                assertThat(busy.status()).isEqualTo(1);
                assertThat(busy.err()).isEqualTo("device-mapper: remove ioctl on " + thin
                        + "  failed: Device or resource busy\nCommand failed.\n");
                ok("remove", "--deferred", thin);
                assertThat(ok("info", thin).out()).contains("State:             ACTIVE (DEFERRED REMOVE)\n");
            }
            assertThat(KernelDevices.goneSoon(thin, number)).as("removed once its opener closed it").isTrue();
            ok("message", pool, "0", "delete 1");

            // --force: the table becomes 'error', so what still holds the device gets errors at once
            ok("message", pool, "0", "create_thin 3");
            ok("create", doomed, "--table", "0 " + volume + " thin /dev/mapper/" + pool + " 3");
            try (FileChannel held = FileChannel.open(Path.of("/dev/mapper/" + doomed), StandardOpenOption.READ)) {
                Run forced = dmsetup("remove", "--force", doomed);
                assertThat(forced.status()).isEqualTo(1);
                assertThat(forced.err()).isEqualTo("device-mapper: remove ioctl on " + doomed
                        + "  failed: Device or resource busy\nCommand failed.\n");
                assertThat(ok("table", doomed).out()).isEqualTo("0 " + volume + " error \n");
                assertThatThrownBy(() -> held.read(ByteBuffer.allocate(4096), 0)).isInstanceOf(IOException.class);
            }
            ok("remove", "--force", doomed);
            assertThat(exists(doomed)).isFalse();
            ok("message", pool, "0", "delete 3");
            assertThat(ok("status", pool).out()).matches("0 " + data.sectors() + " thin-pool 0 \\d+/\\d+ 0/\\d+ .*\n");
            ok("remove", "--retry", pool);
            assertThat(exists(pool)).isFalse();
        } finally {
            try (DeviceMapper dm = DeviceMapper.open()) {
                for (String n : made) {
                    try {
                        dm.remove(n);
                    } catch (DeviceNotFoundException gone) {
                        // already removed by the workflow
                    }
                }
            }
        }
    }
}
