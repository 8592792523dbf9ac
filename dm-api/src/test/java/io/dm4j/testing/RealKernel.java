package io.dm4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceMapper;
import io.dm4j.internal.loop.Loops;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension for real-kernel ITs. Before a test class it insists on a real device-mapper
 * (it never skips: a missing kernel fails loudly); after it, it checks that the class left no
 * device-mapper device and no loop device behind, cleaning up only devices with this run's prefix.
 */
public final class RealKernel implements BeforeAllCallback, AfterAllCallback {
    private static final String PREFIX = System.getProperty("dm4j.test.prefix",
            "dm4jt" + Long.toHexString(ProcessHandle.current().pid()) + "-");

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RealKernel.class);

    /** This run's device name prefix; every test device name starts with it. */
    public static String prefix() {
        return PREFIX;
    }

    /** True inside a throwaway guest (vm/run), where a test may act on the whole machine. */
    public static boolean inThrowawayGuest() {
        return "vm".equals(System.getProperty("dm4j.it.mode"));
    }

    /** A device name for this run: the prefix plus {@code suffix}. */
    public static String name(String suffix) {
        return PREFIX + suffix;
    }

    /** The device-mapper and loop devices that exist now. */
    record KernelState(Set<String> mappedDevices, Set<String> loopDevices) {
        static KernelState now() {
            return new KernelState(read("dm-", "dm/name"), read("loop", "loop/backing_file"));
        }

        /** For each block device named {@code kind*} that has {@code file}, that file's content. */
        private static Set<String> read(String kind, String file) {
            Set<String> found = new TreeSet<>();
            try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
                devices.filter(d -> d.getFileName().toString().startsWith(kind)).forEach(d -> {
                    Path f = d.resolve(file);
                    try {
                        if (Files.exists(f)) {
                            found.add(d.getFileName() + " " + Files.readString(f).strip());
                        }
                    } catch (IOException e) {
                        // The device went away while we looked: it no longer exists.
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!Files.exists(DeviceMapper.CONTROL)) {
            throw new IllegalStateException("real-kernel ITs need device-mapper, and " + DeviceMapper.CONTROL
                    + " does not exist: run them with ./mvnw verify, which starts a real kernel under vm/run");
        }
        context.getStore(NS).put(KernelState.class, KernelState.now());
    }

    /** IT classes checked in this JVM, and those that leaked: for RELIABILITY.md. */
    private static final java.util.concurrent.atomic.AtomicInteger CHECKED = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger LEAKED = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void afterAll(ExtensionContext context) {
        KernelState before = context.getStore(NS).get(KernelState.class, KernelState.class);
        KernelState after = KernelState.now();
        CHECKED.incrementAndGet();
        if (!after.equals(before)) {
            LEAKED.incrementAndGet();
            removeOwnLeftovers(before, after);
        }
        ReliabilityLog.of("leak-check").put("it-classes-checked", CHECKED.get()).put("it-classes-leaking", LEAKED.get())
                .write();
        assertThat(after.mappedDevices()).as("device-mapper devices after %s", context.getDisplayName())
                .isEqualTo(before.mappedDevices());
        assertThat(after.loopDevices()).as("loop devices after %s", context.getDisplayName())
                .isEqualTo(before.loopDevices());
    }

    /**
     * So one failing class does not make the next ones fail too; touches only this run's devices,
     * through dm4j and the loop driver's ioctls (no dmsetup, no losetup). Upper devices of a stack
     * hold the lower ones busy, so it goes round until nothing more can go.
     */
    private static void removeOwnLeftovers(KernelState before, KernelState after) {
        java.util.List<String> left = new java.util.ArrayList<>();
        for (String dm : after.mappedDevices()) {
            String name = dm.substring(dm.indexOf(' ') + 1);
            if (!before.mappedDevices().contains(dm) && name.startsWith(PREFIX)) {
                left.add(name);
            }
        }
        try (DeviceMapper dm = DeviceMapper.open()) {
            for (int round = 0; round < 50 && !left.isEmpty(); round++) {
                left.removeIf(name -> removed(dm, name));
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException e) {
            left.add("(cleanup stopped: " + e + ")");
        }
        for (String loop : after.loopDevices()) {
            if (!before.loopDevices().contains(loop) && loop.contains("/dm4j-")) {
                try {
                    Loops.clear(Syscalls.get(), "/dev/" + loop.substring(0, loop.indexOf(' ')), -1);
                } catch (IOException e) {
                    left.add(loop + " (" + e.getMessage() + ")");
                }
            }
        }
        if (!left.isEmpty()) {
            System.err.println("RealKernel: could not clean up " + left);
        }
    }

    /** Gone now: removed, or not there. A suspended device is resumed first so nothing waits on it. */
    private static boolean removed(DeviceMapper dm, String name) {
        try {
            var info = dm.info(name);
            if (info.suspended() && info.hasLiveTable()) {
                dm.resume(name);
            }
            dm.remove(name);
            return true;
        } catch (io.dm4j.DeviceNotFoundException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
