package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevices;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of opener, made for real on a device of this test's own, is found by
 * {@link Openers#of}, and is no longer found once it lets go.
 */
@ExtendWith(RealKernel.class)
class OpenersIT {
    @RegisterExtension
    static final LoopDevices LOOPS = new LoopDevices(1, 64L << 20);

    static DeviceMapper dm;

    @TempDir
    Path dir;

    String name;
    DeviceNumber number;
    /** Its node in devtmpfs: there whoever makes /dev/mapper's. */
    Path node;

    @BeforeAll
    static void open() throws IOException {
        dm = DeviceMapper.open();
    }

    @AfterAll
    static void close() throws IOException {
        dm.close();
    }

    @BeforeEach
    void device() throws IOException {
        name = RealKernel.name("openers");
        dm.create(name);
        dm.load(name, List.of(new TargetLine(0, LOOPS.get(0).sectors(), "linear", LOOPS.get(0).number() + " 0")));
        number = dm.resume(name).device();
        node = Path.of("/dev/dm-" + number.minor());
    }

    @AfterEach
    void remove() throws IOException {
        dm.remove(name);
    }

    /** Waits (at most 10 s) until the device's openers satisfy {@code condition}: openers let go asynchronously. */
    private List<Opener> await(String what, Predicate<List<Opener>> condition) throws InterruptedException {
        List<Opener> openers = Openers.of(number);
        for (int i = 0; i < 200 && !condition.test(openers); i++) {
            TimeUnit.MILLISECONDS.sleep(50);
            openers = Openers.of(number);
        }
        assertThat(condition.test(openers)).as("%s; openers: %s", what, openers).isTrue();
        return openers;
    }

    /** Nothing holds the device any more: neither what we can see nor the kernel's count. */
    private void awaitNoOpener() throws Exception {
        await("no opener", List::isEmpty);
        assertThat(dm.info(name).openCount()).isZero();
    }

    @Test
    void aProcessIsNamedByPidCommandAndDescriptor() throws Exception {
        assertThat(Openers.of(number)).isEmpty();
        Process sleep = new ProcessBuilder("sleep", "600").redirectInput(node.toFile()).start();
        try {
            // Until the child has exec'd, its command is still the JVM's spawn helper.
            Opener.Process expected = new Opener.Process(sleep.pid(), "sleep", List.of(0));
            List<Opener> openers = await("the sleep holding it on stdin", o -> o.contains(expected));
            assertThat(openers).containsExactly(expected);
            assertThat(expected).hasToString("pid " + sleep.pid() + " (sleep) fd 0");
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
        awaitNoOpener();
    }

    @Test
    void aDeviceStackedOnItIsNamed() throws Exception {
        String top = RealKernel.name("openers-top");
        dm.create(top);
        try {
            dm.load(top, List.of(new TargetLine(0, 2048, "linear", number + " 0")));
            DeviceNumber topNumber = dm.resume(top).device();
            Opener.StackedDevice expected = new Opener.StackedDevice("dm-" + topNumber.minor(), topNumber,
                    Optional.of(top));
            assertThat(Openers.of(number)).containsExactly(expected);
            assertThat(expected).hasToString("device " + top + " (" + topNumber + ") stacked on it");
        } finally {
            dm.remove(top);
        }
        awaitNoOpener();
    }

    @Test
    void aMountIsNamedByMountPointAndTypeWhateverItsName() throws Exception {
        Commands.check("mkfs.ext4", "-q", "-F", node.toString());
        // The kernel escapes space, tab and backslash in mountinfo.
        Path mountPoint = Files.createDirectory(dir.resolve("mnt a\tb\\c"));
        Commands.check("mount", "-t", "ext4", node.toString(), mountPoint.toString());
        try {
            assertThat(Openers.of(number)).containsExactly(new Opener.Mount(mountPoint.toString(), "ext4"));
        } finally {
            Commands.check("umount", mountPoint.toString());
        }
        awaitNoOpener();
    }

    @Test
    void swapOnItIsNamed() throws Exception {
        Assumptions.assumeTrue(RealKernel.inThrowawayGuest(), "swapon lets the kernel page out to the device: "
                + "throwaway guest only");
        Commands.check("mkswap", node.toString());
        Commands.check("swapon", node.toString());
        try {
            assertThat(Openers.of(number)).singleElement().isInstanceOfSatisfying(Opener.Swap.class,
                    swap -> assertThat(swap.path()).isIn(node.toString(), "/dev/mapper/" + name));
        } finally {
            Commands.check("swapoff", node.toString());
        }
        awaitNoOpener();
    }

    @Test
    void aLoopDeviceOverItIsNamed() throws Exception {
        String loop = Commands.check("losetup", "--find", "--show", node.toString()).strip();
        try {
            String kernelName = Path.of(loop).getFileName().toString();
            DeviceNumber loopNumber = DeviceNumber.ofBlockDevice(Path.of(loop));
            assertThat(Openers.of(number)).containsExactly(new Opener.LoopDevice(kernelName, loopNumber));
        } finally {
            Commands.check("losetup", "--detach", loop);
        }
        awaitNoOpener();
    }
}
