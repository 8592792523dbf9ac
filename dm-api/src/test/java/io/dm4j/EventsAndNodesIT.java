package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventKind;
import io.dm4j.event.EventMonitor;
import io.dm4j.sys.Syscalls;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event monitor, event waits, and /dev/mapper nodes without udev, on the real kernel. */
@ExtendWith(RealKernel.class)
class EventsAndNodesIT {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));

    DeviceMapper dm;

    @BeforeEach
    void open() throws IOException {
        dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.LIBRARY);
    }

    @AfterEach
    void close() throws IOException {
        for (DeviceListEntry e : dm.list(RealKernel.prefix(), "")) {
            dm.remove(e.name());
        }
        dm.close();
    }

    private static DeviceEvent next(BlockingQueue<DeviceEvent> q, EventKind kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<DeviceEvent> other = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            DeviceEvent e = q.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.kind() == kind) {
                return e;
            }
            if (e != null) {
                other.add(e);
            }
        }
        throw new AssertionError("no " + kind + " event within 20 s, only " + other);
    }

    @Test
    void theMonitorReportsCreateRenameAndRemoveForTheRightDevice() throws Exception {
        String name = RealKernel.name("ev");
        String renamed = RealKernel.name("ev2");
        BlockingQueue<DeviceEvent> mine = new LinkedBlockingQueue<>();
        BlockingQueue<DeviceEvent> others = new LinkedBlockingQueue<>();
        try (EventMonitor monitor = EventMonitor.start();
                AutoCloseable a = monitor.subscribe(name, mine::add);
                AutoCloseable b = monitor.subscribe(RealKernel.name("unrelated"), others::add)) {
            DeviceInfo created = dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("uuid-ev")));
            DeviceEvent c = next(mine, EventKind.CREATED);
            assertThat(c.name()).contains(name);
            assertThat(c.device()).contains(created.device());
            assertThat(c.uuid()).contains(RealKernel.name("uuid-ev"));
            dm.load(name, ZERO);
            dm.resume(name);
            dm.rename(name, renamed);
            DeviceEvent r = next(mine, EventKind.RENAMED);
            assertThat(r.name()).contains(renamed);
            assertThat(r.previousName()).contains(name);
            dm.remove(renamed);
            // Subscribed by the old name, the subscription followed the rename.
            DeviceEvent gone = next(mine, EventKind.REMOVED);
            assertThat(gone.name()).contains(renamed);
            assertThat(others).isEmpty();
            assertThat(monitor.failure()).isEmpty();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(EventMonitor.Mode.class)
    void aThinPoolCrossingItsLowWaterMarkRaisesAnEvent(EventMonitor.Mode mode, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String pool = RealKernel.name("pool");
        String thin = RealKernel.name("thin");
        try (io.dm4j.testing.LoopDevice meta = io.dm4j.testing.LoopDevice.create(dir, 8L << 20);
                io.dm4j.testing.LoopDevice data = io.dm4j.testing.LoopDevice.create(dir, 64L << 20);
                EventMonitor monitor = EventMonitor.start(mode)) {
            BlockingQueue<DeviceEvent> poolEvents = new LinkedBlockingQueue<>();
            monitor.subscribe(pool, poolEvents::add);
            // 64 KiB blocks: 1024 data blocks; the event fires when fewer than 1000 are free.
            dm.create(pool);
            dm.load(pool, List.of(new TargetLine(0, data.sectors(), "thin-pool",
                    meta.number() + " " + data.number() + " 128 1000")));
            dm.resume(pool);
            dm.message(pool, 0, "create_thin 0");
            DeviceInfo poolInfo = dm.info(pool);
            dm.create(thin);
            dm.load(thin, List.of(new TargetLine(0, 262144, "thin", poolInfo.device() + " 0")));
            dm.resume(thin);
            Thread.sleep(1000);
            List<DeviceEvent> before = new java.util.ArrayList<>();
            poolEvents.drainTo(before);
            assertThat(before).as("no pool event before the writes").noneMatch(e -> e.kind() == EventKind.TABLE_EVENT);
            try (var channel = java.nio.channels.FileChannel.open(Path.of("/dev/mapper", thin),
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(1 << 20);
                for (int i = 0; i < 4; i++) {
                    block.clear();
                    channel.write(block, (long) i << 20);
                }
                channel.force(true);
            }
            DeviceEvent low = next(poolEvents, EventKind.TABLE_EVENT);
            assertThat(low.name()).contains(pool);
            assertThat(dm.status(pool).get(0).status()).as("the pool's status after the event")
                    .isNotBlank();
        } finally {
            for (String n : List.of(thin, pool)) {
                if (!dm.list(n, "").isEmpty()) {
                    dm.remove(n);
                }
            }
        }
    }

    /** 200 devices raise events at once; the monitor must end with the kernel's numbers. */
    @Test
    void manyDevicesChangingAtOnceLoseNoEventNumber() throws Exception {
        int count = 200;
        Map<DeviceNumber, Long> seen = new ConcurrentHashMap<>();
        try (EventMonitor monitor = EventMonitor.start();
                AutoCloseable s = monitor.subscribe(e -> {
                    if (e.name().filter(n -> n.startsWith(RealKernel.name("many"))).isPresent()) {
                        seen.put(e.device().orElseThrow(), e.eventNr());
                    }
                })) {
            IntStream.range(0, count).parallel().forEach(i -> {
                try {
                    String n = RealKernel.name("many-" + i);
                    dm.create(n);
                    dm.load(n, ZERO);
                    dm.resume(n);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Each rename raises an event on the device's table.
            IntStream.range(0, count).parallel().forEach(i -> {
                try {
                    dm.rename(RealKernel.name("many-" + i), RealKernel.name("many-r" + i));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<DeviceListEntry> kernel = dm.list(RealKernel.name("many-r"), "");
            assertThat(kernel).hasSize(count);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !matches(kernel, seen)) {
                Thread.sleep(50);
            }
            for (DeviceListEntry e : kernel) {
                assertThat(seen.get(e.device())).as(e.name()).isEqualTo(e.eventNr().orElseThrow());
                assertThat(e.eventNr().orElseThrow()).isPositive();
            }
        }
    }

    private static boolean matches(List<DeviceListEntry> kernel, Map<DeviceNumber, Long> seen) {
        return kernel.stream().allMatch(e -> Long.valueOf(e.eventNr().orElseThrow()).equals(seen.get(e.device())));
    }

    @Test
    void awaitEventReturnsOnTheEventAndTimesOutWithoutOne() throws Exception {
        String name = RealKernel.name("await");
        dm.create(name);
        dm.load(name, ZERO);
        long event = dm.resume(name).eventNr();
        assertThat(dm.awaitEvent(name, event, Duration.ofMillis(300))).isEmpty();
        String renamed = RealKernel.name("await2");
        CompletableFuture<Optional<DeviceInfo>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return dm.awaitEvent(name, event, Duration.ofSeconds(30));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(waiter).isNotDone();
        dm.rename(name, renamed); // raises an event; the wait follows the device to its new name
        assertThat(waiter.get(40, TimeUnit.SECONDS)).hasValueSatisfying(i -> {
            assertThat(i.eventNr()).isGreaterThan(event);
            assertThat(i.name()).isEqualTo(renamed);
        });
    }

    @Test
    void withoutUdevTheLibraryMakesMovesAndRemovesTheNodes() throws Exception {
        assertThat(dm.nodePolicy()).isEqualTo(NodePolicy.LIBRARY);
        String name = RealKernel.name("node");
        String renamed = RealKernel.name("node2");
        String last = RealKernel.name("node3");
        Path node = Path.of("/dev/mapper", name);
        DeviceInfo info = dm.create(name);
        // As libdevmapper (and udev) do: the node comes with the live table, on resume.
        assertThat(node).as("node of a device without a table").doesNotExist();
        dm.load(name, ZERO);
        dm.resume(name);
        assertNodeOf(node, info.device());
        try (var channel = java.nio.channels.FileChannel.open(node)) {
            assertThat(channel.size()).isEqualTo(2048L * 512);
        }
        dm.suspend(name);
        dm.resume(name); // a node already there is kept
        assertNodeOf(node, info.device());
        dm.rename(name, renamed);
        assertThat(node).doesNotExist();
        assertNodeOf(Path.of("/dev/mapper", renamed), info.device());
        dm.rename(renamed, last);
        assertThat(Path.of("/dev/mapper", renamed)).doesNotExist();
        assertNodeOf(Path.of("/dev/mapper", last), info.device());
        dm.remove(last);
        assertThat(Path.of("/dev/mapper", last)).doesNotExist();
    }

    private static void assertNodeOf(Path node, DeviceNumber device) throws IOException {
        assertThat(Files.isSymbolicLink(node)).as("%s is dm4j's block node, not a link", node).isFalse();
        long rdev = (Long) Files.getAttribute(node, "unix:rdev");
        assertThat((rdev >>> 8) & 0xfff).isEqualTo(device.major());
        assertThat((rdev & 0xff) | ((rdev >>> 12) & ~0xffL)).isEqualTo(device.minor());
    }

    @Test
    void aRenameBeforeTheFirstResumeMakesNoNodeAndTheResumeMakesItUnderTheNewName() throws Exception {
        String name = RealKernel.name("early");
        String renamed = RealKernel.name("early2");
        DeviceInfo info = dm.create(name);
        dm.rename(name, renamed);
        assertThat(Path.of("/dev/mapper", name)).doesNotExist();
        assertThat(Path.of("/dev/mapper", renamed)).doesNotExist();
        dm.load(renamed, ZERO);
        dm.resume(renamed);
        assertNodeOf(Path.of("/dev/mapper", renamed), info.device());
        dm.remove(renamed);
        assertThat(Path.of("/dev/mapper", renamed)).doesNotExist();
    }

    @Test
    void aStaleNodeOfAnotherDeviceIsReplacedOnResume() throws Exception {
        String name = RealKernel.name("stale");
        Path node = Path.of("/dev/mapper", name);
        // What a crashed program may leave: a node with this name for another device number.
        Syscalls.get().mknod(node.toString(), Syscalls.S_IFBLK | 0600, 1, 3);
        try {
            DeviceInfo info = dm.create(name);
            dm.load(name, ZERO);
            dm.resume(name);
            assertNodeOf(node, info.device());
            dm.remove(name);
            assertThat(node).doesNotExist();
        } finally {
            Files.deleteIfExists(node);
        }
    }

    @Test
    void aMissingControlNodeIsMade() throws Exception {
        assumeTrue(RealKernel.inThrowawayGuest(), "deletes /dev/mapper/control: only in a vm/run guest");
        Files.delete(DeviceMapper.CONTROL);
        try (DeviceMapper fresh = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.LIBRARY)) {
            assertThat(fresh.version().major()).isEqualTo(4);
        }
        assertThat(DeviceMapper.CONTROL).exists();
    }
}
