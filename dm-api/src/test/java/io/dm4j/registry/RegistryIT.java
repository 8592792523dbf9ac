package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceMapper;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.ChildJvm;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The registry's guarantees against the real kernel. */
@ExtendWith(RealKernel.class)
class RegistryIT {
    @TempDir
    Path dir;

    DeviceMapper dm;
    TableRegistry registry;
    LoopDevice loop;

    @BeforeEach
    void setUp() throws IOException {
        dm = DeviceMapper.open();
        registry = TableRegistry.open(dm, RegistryOptions.defaults().tracking(HolderTracking.STACKS)
                .leakDetection(true).destroyTimeout(Duration.ofSeconds(20)));
        loop = LoopDevice.create(dir, 16L << 20);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (String name : registry.devices()) {
            try {
                registry.removeStack(name);
            } catch (RegistryException alreadyGone) {
                // removed together with a device above it
            }
        }
        registry.close();
        dm.close();
        loop.close();
    }

    private List<TargetLine> linear(long sectors) {
        return List.of(new TargetLine(0, sectors, "linear", loop.number() + " 0"));
    }

    private static String loopHolders(LoopDevice loop) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/block", Path.of(loop.path()).getFileName().toString(),
                "holders"))) {
            return s.map(p -> p.getFileName().toString()).toList().toString();
        }
    }

    /**
     * The seed's scenario: a holder keeps a table alive; the remove waits; when the holder closes
     * the remove completes, and at that moment the underlying device is free and the minor can
     * be reused.
     */
    @Test
    void removeWaitsForTheHolderThenTheDeviceIsReallyGone() throws Exception {
        String name = RealKernel.name("seed");
        int minor = 300 + (int) (ProcessHandle.current().pid() % 200);
        LoopDevice own = LoopDevice.create(dir, 16L << 20);
        boolean detached = false;
        try {
            registry.create(name, CreateOptions.defaults().minor(minor),
                    List.of(new TargetLine(0, 32768, "linear", own.number() + " 0")));
            assertThat(loopHolders(own)).isEqualTo("[dm-" + minor + "]");

            TableRef holder = registry.acquire(name);
            CompletableFuture<RemoveResult> remove = CompletableFuture.supplyAsync(() -> {
                try {
                    return registry.remove(name);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(700);
            assertThat(remove).as("a remove must not complete while a holder is open").isNotDone();
            assertThat(dm.list(name, "")).as("nor reach the kernel").hasSize(1);
            assertThatThrownBy(() -> registry.acquire(name)).isInstanceOf(DeviceRemovingException.class);
            assertThat(holder.tableDestroyed()).isFalse();
            assertThat(holder.lines()).hasSize(1);

            holder.close();
            RemoveResult result = remove.get(60, TimeUnit.SECONDS);
            // At the moment the remove reports completion:
            assertThat(result.waitedForHolders()).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(holder.tableDestroyed()).isTrue();
            assertThat(loopHolders(own)).isEqualTo("[]");
            assertThat(Path.of("/sys/dev/block/" + result.device())).doesNotExist();
            assertThat(dm.list(name, "")).isEmpty();
            own.close(); // losetup --detach: must succeed at once
            detached = true;
            String again = RealKernel.name("same-minor");
            assertThat(dm.create(again, CreateOptions.defaults().minor(minor)).device().minor()).isEqualTo(minor);
            dm.remove(again);
        } finally {
            if (!detached) {
                own.close();
            }
        }
    }

    @Test
    void holdersThatOutlastTheDeadlineAreNamedAndNothingChanges() throws Exception {
        String name = RealKernel.name("stuck");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        TableRef holder = registry.acquire(name);
        Thread other = new Thread(() -> { }, "not-the-holder");
        other.start();
        other.join();
        assertThatThrownBy(() -> registry.remove(name, RemovePolicy.defaults().holderTimeout(Duration.ofMillis(300))))
                .isInstanceOfSatisfying(HoldersTimeoutException.class, e -> {
                    assertThat(e.count()).isEqualTo(1);
                    assertThat(e.holders()).singleElement().satisfies(h -> {
                        assertThat(h.thread()).isEqualTo(Thread.currentThread().getName());
                        assertThat(h.acquiredAt()).anySatisfy(f -> assertThat(f.getMethodName())
                                .isEqualTo("holdersThatOutlastTheDeadlineAreNamedAndNothingChanges"));
                    });
                });
        // Consistent and usable: the device is there, its table too, and it can be acquired again.
        assertThat(dm.info(name).hasLiveTable()).isTrue();
        try (TableRef again = registry.acquire(name)) {
            assertThat(again.lines()).isEqualTo(linear(8192));
        }
        holder.close();
        registry.remove(name);
        assertThat(registry.devices()).doesNotContain(name);
    }

    @Test
    void replacedTablesAreDestroyedAtLoadAndResumeOnceTheirHoldersClose() throws Exception {
        String name = RealKernel.name("swap");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        long destroyed = registry.destroyedTables();
        registry.load(name, linear(4096));
        TableRef inactive = registry.acquire(name, TableSlot.INACTIVE);
        TableRef live = registry.acquire(name, TableSlot.LIVE);
        CompletableFuture<Void> reload = CompletableFuture.runAsync(() -> {
            try {
                registry.load(name, linear(2048));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(reload).as("the load waits for the inactive table's holder").isNotDone();
        inactive.close();
        reload.get(30, TimeUnit.SECONDS);
        assertThat(registry.destroyedTables()).isEqualTo(destroyed + 1);
        assertThat(inactive.tableDestroyed()).isTrue();

        CompletableFuture<Void> resume = CompletableFuture.runAsync(() -> {
            try {
                registry.resume(name);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(resume).as("the resume waits for the old live table's holder").isNotDone();
        assertThat(live.tableDestroyed()).isFalse();
        try (TableRef fresh = registry.acquire(name)) {
            assertThat(fresh.lines()).as("new holders already see the new live table").isEqualTo(linear(2048));
        }
        live.close();
        resume.get(30, TimeUnit.SECONDS);
        assertThat(live.tableDestroyed()).isTrue();
        assertThat(registry.destroyedTables()).isEqualTo(destroyed + 2);
        assertThat(dm.table(name)).isEqualTo(linear(2048));
        registry.clear(name);
    }

    @Test
    void aThreadThatHoldsTheTableItChangesIsToldSoAtOnce() throws Exception {
        String name = RealKernel.name("self");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        registry.load(name, linear(4096));
        try (TableRef mine = registry.acquire(name, TableSlot.INACTIVE)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> registry.load(name, linear(2048))).isInstanceOf(HoldersTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        // The replaced table was parked and is destroyed at the next fixed point.
        long destroyed = registry.destroyedTables();
        registry.clear(name);
        assertThat(registry.destroyedTables()).isEqualTo(destroyed + 2);
    }

    @Test
    void stackedDevicesCannotBeRemovedFromUnderneathAndGoTopDown() throws Exception {
        String lower = RealKernel.name("lower");
        String upper = RealKernel.name("upper");
        var lowerInfo = registry.create(lower, CreateOptions.defaults(), linear(16384));
        registry.create(upper, CreateOptions.defaults(),
                List.of(new TargetLine(0, 8192, "linear", lowerInfo.device() + " 0")));
        assertThatThrownBy(() -> registry.remove(lower)).isInstanceOfSatisfying(DeviceInUseException.class,
                e -> assertThat(e.users()).containsExactly(upper));
        List<RemoveResult> removed = registry.removeStack(upper);
        assertThat(removed).extracting(RemoveResult::name).containsExactly(upper, lower);
        assertThat(dm.list(RealKernel.prefix(), "")).isEmpty();
    }

    @Test
    void channelsHoldTheDeviceAndCarryData() throws Exception {
        String name = RealKernel.name("chan");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        DeviceChannel channel = registry.openChannel(name, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer out = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4096; i++) {
            out.put((byte) (i * 31));
        }
        out.flip();
        assertThat(channel.write(out, 8192)).isEqualTo(4096);
        channel.force();
        ByteBuffer in = ByteBuffer.allocate(4096);
        channel.read(in, 8192);
        assertThat(in.flip()).isEqualTo(out.flip());
        assertThat(channel.size()).isEqualTo(8192L * 512);
        CompletableFuture<RemoveResult> remove = CompletableFuture.supplyAsync(() -> {
            try {
                return registry.remove(name);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(remove).as("the remove waits for the channel").isNotDone();
        channel.close();
        assertThat(remove.get(30, TimeUnit.SECONDS).busyRetries()).isZero();
    }

    /** The kernel makes a device's block device with its first table: before, a channel is refused. */
    @Test
    void aChannelNeedsALiveTable() throws Exception {
        String name = RealKernel.name("notable");
        registry.create(name, CreateOptions.defaults());
        assertThatThrownBy(() -> registry.openChannel(name, StandardOpenOption.READ))
                .isInstanceOf(NoTableException.class);
        registry.load(name, linear(8192));
        assertThatThrownBy(() -> registry.openChannel(name, StandardOpenOption.READ))
                .isInstanceOf(NoTableException.class);
        registry.resume(name);
        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.READ)) {
            assertThat(ch.size()).isEqualTo(8192L * 512);
        }
    }

    /** A rename keeps the tables, holders and channels; the old name is no longer managed. */
    @Test
    void renameKeepsTheDeviceItsTablesAndItsChannels() throws Exception {
        String name = RealKernel.name("ren");
        String renamed = RealKernel.name("ren2");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        try (TableRef held = registry.acquire(name);
                DeviceChannel ch = registry.openChannel(name, StandardOpenOption.READ)) {
            assertThat(registry.rename(name, renamed).name()).isEqualTo(renamed);
            assertThat(held.device()).isEqualTo(renamed);
            assertThat(ch.read(ByteBuffer.allocate(512), 0)).isEqualTo(512);
            assertThat(registry.devices()).contains(renamed).doesNotContain(name);
            assertThatThrownBy(() -> registry.acquire(name)).isInstanceOf(NotManagedException.class);
            assertThatThrownBy(() -> registry.rename(renamed, renamed)).isInstanceOf(RegistryException.class);
            assertThat(dm.list(name, "")).extracting(io.dm4j.DeviceListEntry::name).containsExactly(renamed);
        }
        registry.remove(renamed);
        assertThat(dm.list(name, "")).isEmpty();
    }

    @Test
    void anotherProcessKeepingTheDeviceOpenIsNamed() throws Exception {
        String name = RealKernel.name("proc");
        var info = registry.create(name, CreateOptions.defaults(), linear(8192));
        Process opener = new ProcessBuilder("sh", "-c", "exec 3</dev/dm-" + info.device().minor() + "; echo open; exec sleep 60")
                .start();
        try {
            assertThat(new String(opener.getInputStream().readNBytes(5))).isEqualTo("open\n");
            assertThatThrownBy(() -> registry.remove(name, RemovePolicy.defaults().busyTimeout(Duration.ofMillis(500))))
                    .isInstanceOfSatisfying(RemoveFailedException.class, e -> {
                        assertThat(e.openers()).anySatisfy(o -> assertThat(o.toString()).contains("pid " + opener.pid()));
                        assertThat(e.getMessage()).contains("pid " + opener.pid());
                    });
            try (TableRef ref = registry.acquire(name)) {
                assertThat(ref.lines()).isEqualTo(linear(8192));
            }
        } finally {
            opener.destroyForcibly().waitFor();
        }
        assertThat(registry.remove(name).name()).isEqualTo(name);
    }

    @Test
    void aDeferredRemoveCompletesWhenTheLastOpenerCloses() throws Exception {
        String name = RealKernel.name("defer");
        var info = registry.create(name, CreateOptions.defaults(), linear(8192));
        Process opener = new ProcessBuilder("sh", "-c", "exec 3</dev/dm-" + info.device().minor()
                + "; echo open; exec sleep 2").start();
        assertThat(new String(opener.getInputStream().readNBytes(5))).isEqualTo("open\n");
        RemovePolicy defer = RemovePolicy.defaults().busyTimeout(Duration.ofMillis(300)).deferOnBusy(true);
        long start = System.nanoTime();
        RemoveResult result = registry.remove(name, defer);
        assertThat(result.deferred()).isTrue();
        // The opener holds the device for 2 s: the remove may complete only after it closed it.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1000));
        assertThat(opener.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(dm.list(name, "")).isEmpty();

        String stuck = RealKernel.name("defer-stuck");
        var stuckInfo = registry.create(stuck, CreateOptions.defaults(), linear(8192));
        Process holder = new ProcessBuilder("sh", "-c", "exec 3</dev/dm-" + stuckInfo.device().minor()
                + "; echo open; exec sleep 60").start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("open\n");
            assertThatThrownBy(() -> registry.remove(stuck, new RemovePolicy(Duration.ofSeconds(1),
                    Duration.ofMillis(300), true, Duration.ofMillis(500))))
                    .isInstanceOf(RemoveFailedException.class);
            // The scheduled remove was taken back: the device stays when its opener goes.
            assertThat(dm.info(stuck).flags()).doesNotContain(io.dm4j.DeviceFlag.DEFERRED_REMOVE);
        } finally {
            holder.destroyForcibly().waitFor();
        }
        assertThat(dm.info(stuck).hasLiveTable()).isTrue();
    }

    @Test
    void aLeakedReferenceIsReleasedByTheLeakDetector() throws Exception {
        String name = RealKernel.name("leak");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        leak(name);
        CompletableFuture<RemoveResult> remove = CompletableFuture.supplyAsync(() -> {
            try {
                return registry.remove(name);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!remove.isDone() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(remove.get(1, TimeUnit.SECONDS).name()).isEqualTo(name);
    }

    private void leak(String name) throws RegistryException {
        registry.acquire(name).lines(); // never closed
    }

    /** A program that crashes leaves devices behind; a new registry adopts them by uuid prefix. */
    @Test
    void aRestartedProgramAdoptsWhatACrashedOneLeft() throws Exception {
        String uuidPrefix = RealKernel.name("crash-");
        List<String> command = new ArrayList<>(List.of(ChildJvm.java()));
        command.addAll(ChildJvm.nativeOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingProgram.class.getName(),
                RealKernel.prefix(), uuidPrefix, loop.number().toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String line = new String(child.getInputStream().readNBytes(6));
        assertThat(line).isEqualTo("ready\n");
        child.destroyForcibly().waitFor(); // kill -9
        List<String> adopted = registry.adopt(uuidPrefix);
        assertThat(adopted).containsExactlyInAnyOrder(RealKernel.name("crash-lower"), RealKernel.name("crash-upper"),
                RealKernel.name("crash-notable"));
        try (TableRef live = registry.acquire(RealKernel.name("crash-upper"))) {
            assertThat(live.lines()).hasSize(1);
        }
        try (TableRef pending = registry.acquire(RealKernel.name("crash-lower"), TableSlot.INACTIVE)) {
            assertThat(pending.lines()).isEqualTo(linear(2048));
        }
        assertThatThrownBy(() -> registry.remove(RealKernel.name("crash-lower")))
                .isInstanceOf(DeviceInUseException.class);
        registry.removeStack(RealKernel.name("crash-upper"));
        registry.remove(RealKernel.name("crash-notable"));
        assertThat(dm.list("", uuidPrefix)).isEmpty();
    }

    /** Run in a child JVM by the test above, then killed. */
    public static final class CrashingProgram {
        public static void main(String[] args) throws Exception {
            String prefix = args[0];
            String uuid = args[1];
            String[] mm = args[2].split(":");
            DeviceMapper dm = DeviceMapper.open();
            TableRegistry registry = TableRegistry.open(dm);
            var lower = registry.create(prefix + "crash-lower", CreateOptions.defaults().uuid(uuid + "lower"),
                    List.of(new TargetLine(0, 8192, "linear", mm[0] + ":" + mm[1] + " 0")));
            registry.load(prefix + "crash-lower", List.of(new TargetLine(0, 2048, "linear", mm[0] + ":" + mm[1] + " 0")));
            registry.create(prefix + "crash-upper", CreateOptions.defaults().uuid(uuid + "upper"),
                    List.of(new TargetLine(0, 4096, "linear", lower.device() + " 0")));
            registry.create(prefix + "crash-notable", CreateOptions.defaults().uuid(uuid + "notable"));
            registry.acquire(prefix + "crash-upper");
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    /** Many threads take and drop references while others load, resume and remove. */
    @Test
    void invariantsHoldUnderConcurrentLoadResumeAndRemove() throws Exception {
        int devices = 6;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String name = RealKernel.name("stress-" + i);
            registry.create(name, CreateOptions.defaults(), List.of(new TargetLine(0, 1024 + i, "zero", "")));
            names.add(name);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int id = t;
            threads.add(started("holder-" + t, () -> {
                var random = java.util.concurrent.ThreadLocalRandom.current();
                while (System.nanoTime() < deadline && failure.get() == null) {
                    String name = names.get(random.nextInt(devices));
                    try (TableRef ref = registry.acquire(name, id % 4 == 0 ? TableSlot.INACTIVE : TableSlot.LIVE)) {
                        if (ref.tableDestroyed()) {
                            failure.set(new AssertionError("a held table was destroyed: " + name));
                        }
                        Thread.yield();
                        if (ref.tableDestroyed()) {
                            failure.set(new AssertionError("a held table was destroyed: " + name));
                        }
                        held.incrementAndGet();
                    } catch (NoTableException | DeviceRemovingException | NotManagedException e) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }
            }));
        }
        for (int t = 0; t < 3; t++) {
            threads.add(started("changer-" + t, () -> {
                var random = java.util.concurrent.ThreadLocalRandom.current();
                while (System.nanoTime() < deadline && failure.get() == null) {
                    String name = names.get(random.nextInt(devices));
                    try {
                        registry.load(name, List.of(new TargetLine(0, 1000 + random.nextInt(100), "zero", "")));
                        if (random.nextBoolean()) {
                            registry.resume(name);
                        }
                    } catch (DeviceRemovingException | NotManagedException e) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }
            }));
        }
        threads.add(started("remover", () -> {
            try {
                Thread.sleep(3000);
                registry.remove(names.get(0));
                Thread.sleep(2000);
                registry.remove(names.get(1));
            } catch (Throwable e) {
                failure.set(e);
            }
        }));
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertThat(held.get()).isGreaterThan(1000);
        assertThat(registry.devices()).doesNotContain(names.get(0), names.get(1));
        assertThat(dm.list(names.get(0), "")).isEmpty();
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }
}
