package io.dm4j.reliability;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.registry.DeviceChannel;
import io.dm4j.registry.RegistryException;
import io.dm4j.registry.RegistryOptions;
import io.dm4j.registry.RemovePolicy;
import io.dm4j.registry.RemoveResult;
import io.dm4j.registry.TableRef;
import io.dm4j.registry.TableRegistry;
import io.dm4j.target.DelayTarget;
import io.dm4j.target.ErrorTarget;
import io.dm4j.target.FlakeyTarget;
import io.dm4j.target.LinearTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.target.Target;
import io.dm4j.testing.BlockIo;
import io.dm4j.testing.Blocks;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected with real targets under dm4j devices, and races at the control interface. Each
 * test ends by asserting a consistent state: what the kernel has, what the registry believes and
 * what is on the disk agree.
 */
@ExtendWith(RealKernel.class)
class FaultInjectionIT {
    private static final long SECTORS = 16384; // 8 MiB
    private static final ReliabilityLog LOG = ReliabilityLog.of("fault-injection");

    @TempDir
    static Path dir;

    static LoopDevice loop;
    DeviceMapper dm;
    TableRegistry registry;

    @BeforeAll
    static void attach() throws IOException {
        loop = LoopDevice.create(dir, SECTORS * 512);
    }

    @AfterAll
    static void detach() throws IOException {
        loop.close();
        LOG.write();
    }

    @BeforeEach
    void open() throws IOException {
        dm = DeviceMapper.open();
        registry = TableRegistry.open(dm, RegistryOptions.defaults().destroyTimeout(Duration.ofSeconds(20)));
    }

    @AfterEach
    void close() throws IOException {
        for (String name : registry.devices()) {
            try {
                registry.removeStack(name);
            } catch (RegistryException removedWithTheOneAbove) {
                // a stack goes top-down in one call
            }
        }
        registry.close();
        dm.close();
    }

    private static List<TargetLine> table(Target... targets) {
        Table.Builder b = Table.builder();
        for (Target t : targets) {
            b.append(Sectors.of(SECTORS / targets.length), t);
        }
        return b.build().toTargetLines();
    }

    private static ByteBuffer block(int index, int version) {
        ByteBuffer b = BlockIo.aligned(Blocks.SIZE);
        Blocks.fill(b, index, version);
        return b;
    }

    private static int read(DeviceChannel ch, int index) throws IOException {
        ByteBuffer b = BlockIo.aligned(Blocks.SIZE);
        while (b.hasRemaining()) {
            if (ch.read(b, (long) index * Blocks.SIZE + b.position()) < 0) {
                throw new IOException("end of device at block " + index);
            }
        }
        return Blocks.versionOf(b, index);
    }

    private void assertUsable(String name, List<TargetLine> live) throws IOException {
        try (TableRef ref = registry.acquire(name)) {
            assertThat(ref.lines()).isEqualTo(live);
        }
        assertThat(dm.table(name)).isEqualTo(live);
        assertThat(dm.info(name).suspended()).isFalse();
    }

    /** error, then flakey in its modes: failed I/O is an IOException, and the device stays usable. */
    @Test
    void errorAndFlakeyTargetsFailIoWithIOExceptionsAndLeaveTheDeviceUsable() throws Exception {
        String name = RealKernel.name("fault-error");
        long half = SECTORS / 2 * 512;
        List<TargetLine> errorHalf = table(new LinearTarget(loop.number(), Sectors.ZERO), new ErrorTarget());
        registry.create(name, CreateOptions.defaults(), errorHalf);
        int failed = 0;
        try (DeviceChannel ch = registry.openChannel(name, READ, WRITE, BlockIo.DIRECT)) {
            assertThat(ch.write(block(0, 1), 0)).isEqualTo(Blocks.SIZE);
            assertThatThrownBy(() -> ch.write(block(0, 1), half)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> ch.read(BlockIo.aligned(Blocks.SIZE), half)).isInstanceOf(IOException.class);
            failed += 2;
            assertThat(read(ch, 0)).isEqualTo(1);
        }
        // Through the page cache the write is taken, and the error comes with the flush.
        try (DeviceChannel ch = registry.openChannel(name, READ, WRITE)) {
            ch.write(block(0, 2), half);
            assertThatThrownBy(ch::force).isInstanceOf(IOException.class);
            failed++;
        }
        assertUsable(name, errorHalf);

        FlakeyTarget up = new FlakeyTarget(loop.number(), Sectors.ZERO, 3600, 0);
        FlakeyTarget down = new FlakeyTarget(loop.number(), Sectors.ZERO, 0, 3600);
        FlakeyTarget writesFail = new FlakeyTarget(loop.number(), Sectors.ZERO, 0, 3600, FlakeyTarget.Writes.ERROR,
                Optional.empty());
        reload(name, table(up));
        try (DeviceChannel ch = registry.openChannel(name, READ, WRITE, BlockIo.DIRECT)) {
            assertThat(ch.write(block(1, 1), Blocks.SIZE)).isEqualTo(Blocks.SIZE);
            reload(name, table(down));
            assertThatThrownBy(() -> ch.write(block(1, 2), Blocks.SIZE)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> read(ch, 1)).isInstanceOf(IOException.class);
            reload(name, table(writesFail));
            assertThatThrownBy(() -> ch.write(block(1, 3), Blocks.SIZE)).isInstanceOf(IOException.class);
            failed += 3;
            assertThat(read(ch, 1)).as("reads work while only writes fail, and the failed writes left nothing")
                    .isEqualTo(1);
            reload(name, table(up));
            assertThat(ch.write(block(1, 4), Blocks.SIZE)).isEqualTo(Blocks.SIZE);
            assertThat(read(ch, 1)).isEqualTo(4);
            assertThat(read(ch, 0)).isEqualTo(1);
        }
        assertUsable(name, table(up));
        RemoveResult removed = registry.remove(name);
        assertThat(removed.busyRetries()).isZero();
        assertThat(dm.list(name, "")).isEmpty();
        LOG.put("failed-io-seen-as-IOException", failed);
    }

    private void reload(String name, List<TargetLine> table) throws IOException {
        registry.load(name, table);
        registry.resume(name);
    }

    /**
     * Two writers keep writing through a delay target while the device is suspended and resumed,
     * with and without flush: no write fails, none completes while suspended, and every block
     * holds the last version whose write was acknowledged.
     */
    @Test
    void suspendWithAndWithoutFlushUnderConcurrentWrites() throws Exception {
        String name = RealKernel.name("fault-suspend");
        int blocks = 256;
        registry.create(name, CreateOptions.defaults(), table(new DelayTarget(loop.number(), Sectors.ZERO, 20)));
        BlockIo.zero(Path.of(loop.path()), (long) blocks * Blocks.SIZE); // what earlier tests wrote there
        Blocks ledger = new Blocks(blocks);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acks = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int suspensions = 0;
        try (DeviceChannel ch = registry.openChannel(name, READ, WRITE, BlockIo.DIRECT)) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int lane = t;
                writers.add(started("writer-" + t, () -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int i = lane + 2 * r.nextInt(blocks / 2);
                        int version = ledger.acknowledged(i) + 1;
                        try {
                            ch.write(block(i, version), (long) i * Blocks.SIZE);
                            ledger.acknowledged(i, version);
                            acks.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            failure.compareAndSet(null, e);
                            return;
                        }
                    }
                }));
            }
            long resumedAt = 0;
            for (int round = 0; round < 3; round++) {
                for (SuspendOption[] options : List.of(new SuspendOption[0], new SuspendOption[] {SuspendOption.NO_FLUSH})) {
                    // Each suspend lands among writes in flight: wait for writes to flow again
                    // since the last resume (under emulation the writers' first ones can take long).
                    awaitMoreThan(acks, resumedAt, failure);
                    DeviceInfo suspended = dm.suspend(name, options);
                    suspensions++;
                    assertThat(suspended.suspended()).isTrue();
                    long atSuspend = acks.get();
                    Thread.sleep(300);
                    assertThat(acks.get() - atSuspend).as("writes completed while suspended (%s)", List.of(options))
                            .isLessThanOrEqualTo(writers.size());
                    dm.resume(name);
                    resumedAt = acks.get();
                }
            }
            Thread.sleep(200);
            stop.set(true);
            for (Thread w : writers) {
                w.join(30_000);
            }
            assertThat(failure.get()).as("a write failed").isNull();
            for (int i = 0; i < blocks; i++) {
                assertThat(read(ch, i)).as("block %d", i).isEqualTo(ledger.acknowledged(i));
            }
        }
        registry.remove(name);
        // The delay target maps sector for sector: the same blocks are on the loop device.
        int lost = 0;
        for (int i = 0; i < blocks; i++) {
            ByteBuffer b = ByteBuffer.wrap(BlockIo.read(Path.of(loop.path()), (long) i * Blocks.SIZE, Blocks.SIZE));
            lost += Blocks.versionOf(b, i) == ledger.acknowledged(i) ? 0 : 1;
        }
        assertThat(lost).isZero();
        LOG.put("suspend-cycles-under-writes", suspensions).put("suspend-writes-acknowledged", acks.get())
                .put("suspend-blocks-lost", lost);
    }

    /**
     * Another process opens the device while the registry removes it, at random moments: the
     * remove always completes (retrying while the other holds it), and the device is gone.
     */
    @Test
    void aRemoveRacingAnOpenFromAnotherProcessCompletes() throws Exception {
        int openedFirst = 0;
        int removedFirst = 0;
        int runs = 6;
        for (int run = 0; run < runs; run++) {
            String name = RealKernel.name("fault-race-" + run);
            DeviceInfo info = registry.create(name, CreateOptions.defaults(), table(new LinearTarget(loop.number(),
                    Sectors.ZERO)));
            ThreadLocalRandom r = ThreadLocalRandom.current();
            Process opener = new ProcessBuilder("sh", "-c", "sleep 0." + r.nextInt(10, 30) + "; exec 3</dev/dm-"
                    + info.device().minor() + " && sleep 0.3").start();
            Thread.sleep(r.nextInt(100, 400));
            RemoveResult removed = registry.remove(name, RemovePolicy.defaults().busyTimeout(Duration.ofSeconds(10)));
            assertThat(opener.waitFor(20, TimeUnit.SECONDS)).isTrue();
            if (opener.exitValue() == 0) {
                openedFirst++;
            } else {
                removedFirst++;
            }
            assertThat(dm.list(name, "")).isEmpty();
            assertThat(Path.of("/sys/dev/block/" + removed.device())).doesNotExist();
            assertThat(Path.of("/dev/mapper", name)).doesNotExist();
            assertThat(registry.devices()).doesNotContain(name);
        }
        LOG.put("remove-open-races", runs).put("remove-open-races-opener-first", openedFirst)
                .put("remove-open-races-remove-first", removedFirst);
    }

    /**
     * Loads and resumes race, first on two raw clients, then through the registry from two
     * threads with a third holding references: the live table is always one that was loaded, the
     * registry agrees with the kernel, and each table is destroyed exactly once.
     */
    @Test
    void aLoadRacingAResumeLeavesALoadedTableLive() throws Exception {
        List<TargetLine> a = table(new LinearTarget(loop.number(), Sectors.ZERO));
        List<TargetLine> b = List.of(new TargetLine(0, SECTORS / 2, "linear", loop.number() + " " + SECTORS / 2),
                new TargetLine(SECTORS / 2, SECTORS / 2, "linear", loop.number() + " 0"));
        String raw = RealKernel.name("fault-loadraw");
        dm.create(raw);
        dm.load(raw, a);
        dm.resume(raw);
        int rounds = 60;
        try (DeviceMapper other = DeviceMapper.open()) {
            CompletableFuture<Void> loads = async(() -> repeat(rounds, i -> other.load(raw, i % 2 == 0 ? b : a)));
            CompletableFuture<Void> resumes = async(() -> repeat(rounds, i -> dm.resume(raw)));
            loads.get(120, TimeUnit.SECONDS);
            resumes.get(120, TimeUnit.SECONDS);
        }
        DeviceInfo info = dm.info(raw);
        assertThat(info.suspended()).isFalse();
        assertThat(dm.table(raw)).isIn(a, b);
        if (info.hasInactiveTable()) {
            assertThat(dm.table(raw, TableSlot.INACTIVE)).isIn(a, b);
        }
        dm.remove(raw);

        String name = RealKernel.name("fault-loadreg");
        long destroyedBefore = registry.destroyedTables();
        registry.create(name, CreateOptions.defaults(), a);
        AtomicLong loaded = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong held = new AtomicLong();
        CompletableFuture<Void> holders = async(() -> {
            while (!done.get()) {
                try (TableRef ref = registry.acquire(name)) {
                    assertThat(ref.lines()).isIn(a, b);
                    held.incrementAndGet();
                } catch (RegistryException e) {
                    throw new IllegalStateException(e);
                }
                Thread.yield();
            }
        });
        CompletableFuture<Void> loads = async(() -> repeat(rounds, i -> {
            registry.load(name, i % 2 == 0 ? b : a);
            loaded.incrementAndGet();
        }));
        CompletableFuture<Void> resumes = async(() -> repeat(rounds, i -> registry.resume(name)));
        try {
            loads.get(120, TimeUnit.SECONDS);
            resumes.get(120, TimeUnit.SECONDS);
        } finally {
            done.set(true);
        }
        holders.get(30, TimeUnit.SECONDS);
        assertThat(held.get()).isPositive();
        info = dm.info(name);
        try (TableRef live = registry.acquire(name)) {
            assertThat(live.lines()).isEqualTo(dm.table(name));
        }
        if (info.hasInactiveTable()) {
            try (TableRef inactive = registry.acquire(name, TableSlot.INACTIVE)) {
                assertThat(inactive.lines()).isEqualTo(dm.table(name, TableSlot.INACTIVE));
            }
        }
        long tables = 1 + loaded.get();
        long kept = 1 + (info.hasInactiveTable() ? 1 : 0);
        assertThat(registry.destroyedTables() - destroyedBefore).as("each replaced table destroyed exactly once")
                .isEqualTo(tables - kept);
        LOG.put("load-resume-raced-calls", 4 * rounds).put("load-resume-registry-tables-made", tables)
                .put("load-resume-registry-tables-destroyed", registry.destroyedTables() - destroyedBefore)
                .put("load-resume-registry-tables-kept", kept).put("load-resume-references-taken", held.get());
    }

    /** On a thread of its own: the common pool has a single thread on a two-CPU guest. */
    private static CompletableFuture<Void> async(Runnable body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        started("race", () -> {
            try {
                body.run();
                f.complete(null);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Waits until {@code count} passes {@code floor}: the writers made progress (or one failed). */
    private static void awaitMoreThan(AtomicLong count, long floor, AtomicReference<Throwable> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count.get() <= floor && failure.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(failure.get()).as("a write failed").isNull();
        assertThat(count.get()).as("writes acknowledged since the last resume").isGreaterThan(floor);
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface Step {
        void run(int i) throws IOException;
    }

    private static void repeat(int times, Step step) {
        try {
            for (int i = 0; i < times; i++) {
                step.run(i);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A thread blocks in {@code DM_DEV_WAIT} while its client is closed: close returns at once,
     * the closed client refuses further calls, the wait ends with the device's next event, and
     * the device can be removed.
     */
    @Test
    void closingTheControlDescriptorUnderABlockedWait() throws Exception {
        String name = RealKernel.name("fault-wait");
        dm.create(name);
        dm.load(name, List.of(new TargetLine(0, 8, "zero", ""))); // a rename raises an event only with a table
        dm.resume(name);
        long event = dm.info(name).eventNr();
        DeviceMapper waiting = DeviceMapper.open();
        CompletableFuture<DeviceInfo> wait = new CompletableFuture<>();
        started("waiter", () -> {
            try {
                wait.complete(waiting.waitEvent(name, event));
            } catch (Throwable e) {
                wait.completeExceptionally(e);
            }
        });
        Thread.sleep(500);
        assertThat(wait).as("blocked in DM_DEV_WAIT").isNotDone();
        long start = System.nanoTime();
        waiting.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThatThrownBy(() -> waiting.info(name)).isInstanceOf(IllegalStateException.class);
        try (DeviceMapper again = DeviceMapper.open()) { // may get the closed descriptor's number
            assertThat(again.info(name).eventNr()).isEqualTo(event);
        }
        String renamed = RealKernel.name("fault-wait2");
        dm.rename(name, renamed); // an event
        DeviceInfo after = wait.get(30, TimeUnit.SECONDS);
        assertThat(after.eventNr()).isGreaterThan(event);
        dm.remove(renamed);
        assertThat(dm.list(RealKernel.name("fault-wait"), "")).isEmpty();
        LOG.put("blocked-wait-closed", 1);
    }
}
