package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.OperationInterruptedException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.sys.Syscalls;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's promises when the world interferes, on the real kernel: interrupted waits,
 * another process holding the device, dmsetup changing devices behind the registry's back, a
 * close with work in flight, a stacked load racing a remove, and a dangling udev link.
 */
@ExtendWith(RealKernel.class)
class RegistryInterferenceIT {
    /** The bound for answering an interrupt. */
    private static final Duration PROMPT = Duration.ofMillis(100);
    /** Figures for RELIABILITY.md, written once all tests ran. */
    private static final java.util.Map<String, Object> FIGURES = new java.util.concurrent.ConcurrentSkipListMap<>();

    @org.junit.jupiter.api.AfterAll
    static void report() {
        io.dm4j.testing.ReliabilityLog log = io.dm4j.testing.ReliabilityLog.of("registry-interference");
        FIGURES.forEach(log::put);
        log.write();
    }

    @TempDir
    Path dir;

    DeviceMapper dm;
    TableRegistry registry;
    LoopDevice loop;
    /** Threads of their own: the common pool has one thread on a 2-CPU guest, and a test blocks some. */
    final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() throws IOException {
        dm = DeviceMapper.open();
        registry = TableRegistry.open(dm, RegistryOptions.defaults().destroyTimeout(Duration.ofSeconds(20)));
        loop = LoopDevice.create(dir, 16L << 20);
    }

    @AfterEach
    void tearDown() throws IOException {
        pool.shutdownNow();
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

    /** Runs {@code body} on its own thread; returns when it threw, with what, when, and its interrupt flag. */
    private record Interrupted(Throwable thrown, long endedNanos, boolean flagKept) {}

    private static CompletableFuture<Interrupted> onThread(AtomicReference<Thread> thread, IoBody body) {
        CompletableFuture<Interrupted> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
                done.complete(new Interrupted(null, System.nanoTime(), Thread.currentThread().isInterrupted()));
            } catch (Throwable e) {
                done.complete(new Interrupted(e, System.nanoTime(), Thread.currentThread().isInterrupted()));
            }
        }, "interruptee");
        thread.set(t);
        t.start();
        return done;
    }

    private interface IoBody {
        void run() throws Exception;
    }

    /**
     * Interrupts a remove that waits, three times after one unmeasured round (the first pays for
     * loading the error path's classes, which under the VM's emulation alone can take 100 ms), and
     * checks each: back within {@link #PROMPT}, interrupt flag kept, nothing changed.
     */
    private void interruptRemovesOf(String name, RemovePolicy policy, long waitFirstMillis) throws Exception {
        List<Duration> took = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            AtomicReference<Thread> remover = new AtomicReference<>();
            CompletableFuture<Interrupted> removed = onThread(remover, () -> registry.remove(name, policy));
            awaitWaiting(remover.get());
            Thread.sleep(waitFirstMillis);
            long interruptedAt = System.nanoTime();
            remover.get().interrupt();
            Interrupted result = removed.get(30, TimeUnit.SECONDS);
            assertThat(result.thrown()).isInstanceOfSatisfying(OperationInterruptedException.class,
                    e -> assertThat(e.kernelChanged()).isFalse());
            assertThat(result.flagKept()).as("the interrupt flag is kept").isTrue();
            assertThat(registry.devices()).contains(name);
            assertThat(dm.info(name).hasLiveTable()).isTrue();
            if (round > 0) {
                took.add(Duration.ofNanos(result.endedNanos() - interruptedAt));
            }
        }
        System.out.println("interrupted remove of " + name + " returned after " + took);
        assertThat(took).allSatisfy(d -> assertThat(d).isLessThan(PROMPT));
        FIGURES.put("interrupt-" + name.substring(name.lastIndexOf('-') + 1) + "-max-us",
                took.stream().mapToLong(d -> d.toNanos() / 1000).max().orElseThrow());
        FIGURES.merge("interrupted-removes", took.size(), (a, b) -> (Integer) a + (Integer) b);
    }

    @Test
    void anInterruptedRemoveWaitingForHoldersReturnsPromptlyAndChangesNothing() throws Exception {
        String name = RealKernel.name("intr-holders");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        try (TableRef holder = registry.acquire(name)) {
            interruptRemovesOf(name, RemovePolicy.defaults(), 0);
            assertThat(holder.lines()).isEqualTo(linear(8192));
        }
        // Nothing changed: references can be taken, and the remove completes once asked again.
        try (TableRef again = registry.acquire(name)) {
            assertThat(again.lines()).isEqualTo(linear(8192));
        }
        registry.remove(name);
        assertThat(dm.list(name, "")).isEmpty();
    }

    @Test
    void anInterruptedRemoveRetryingABusyDeviceReturnsPromptlyAndChangesNothing() throws Exception {
        String name = RealKernel.name("intr-busy");
        DeviceInfo info = registry.create(name, CreateOptions.defaults(), linear(8192));
        Process opener = holdOpen(info, 120);
        try {
            // 300 ms in: inside the EBUSY back-off.
            interruptRemovesOf(name, RemovePolicy.defaults().busyTimeout(Duration.ofSeconds(60)), 300);
            try (TableRef ref = registry.acquire(name)) {
                assertThat(ref.lines()).hasSize(1);
            }
        } finally {
            opener.destroyForcibly().waitFor();
        }
        registry.remove(name);
    }

    /** Until the thread parks (in the holders' wait or the back-off sleep). */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as("the remove never started waiting").isNegative();
            Thread.sleep(5);
        }
    }

    /** A child process (sleep) with the device open, started and holding it when this returns. */
    private static Process holdOpen(DeviceInfo info, int seconds) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", "exec 3</dev/dm-" + info.device().minor()
                + "; echo open; exec sleep " + seconds).start();
        assertThat(new String(p.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("open\n");
        return p;
    }

    @Test
    void aRemoveWhileAnotherProcessHoldsTheDeviceNamesItChangesNothingAndSucceedsOnceItExits() throws Exception {
        String name = RealKernel.name("held");
        DeviceInfo info = registry.create(name, CreateOptions.defaults(), linear(8192));
        Process opener = holdOpen(info, 60);
        try {
            assertThatThrownBy(() -> registry.remove(name, RemovePolicy.defaults().busyTimeout(Duration.ofMillis(400))))
                    .isInstanceOfSatisfying(RemoveFailedException.class, e -> {
                        assertThat(e.kernelChanged()).isFalse();
                        assertThat(e.openers()).anySatisfy(o -> assertThat(o.toString()).contains("pid " + opener.pid())
                                .contains("sleep"));
                    });
            assertThat(registry.devices()).contains(name);
            assertThat(dm.info(name).openCount()).isEqualTo(1);
        } finally {
            opener.destroyForcibly().waitFor();
        }
        assertThat(registry.remove(name).name()).isEqualTo(name);
        assertThat(dm.list(name, "")).isEmpty();
    }

    private static void dmsetup(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dmsetup"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("dmsetup %s: %s", String.join(" ", args), out).isZero();
    }

    @Test
    void aStackRemovedByDmsetupIsForgottenAndReleasesTheDeviceBeneath() throws Exception {
        String lower = RealKernel.name("vanish-low");
        String upper = RealKernel.name("vanish-up");
        DeviceInfo low = registry.create(lower, CreateOptions.defaults(), linear(8192));
        registry.create(upper, CreateOptions.defaults(), List.of(new TargetLine(0, 8192, "linear", low.device() + " 0")));
        assertThatThrownBy(() -> registry.remove(lower)).isInstanceOf(DeviceInUseException.class);

        dmsetup("remove", upper);
        // Noticed on next touch: the remove says what happened, and the name leaves the registry.
        assertThatThrownBy(() -> registry.remove(upper)).isInstanceOf(DeviceVanishedException.class);
        assertThat(registry.devices()).doesNotContain(upper).contains(lower);
        assertThatThrownBy(() -> registry.remove(upper)).isInstanceOf(NotManagedException.class);
        // The device beneath is no longer "in use" by a table that is gone.
        assertThat(registry.remove(lower).name()).isEqualTo(lower);

        String other = RealKernel.name("vanish-rec");
        registry.create(other, CreateOptions.defaults(), linear(4096));
        dmsetup("remove", other);
        assertThat(registry.reconcile()).containsExactly(new Drift(other, Drift.Kind.VANISHED, "forgotten"));
        assertThat(registry.devices()).doesNotContain(other);
        FIGURES.put("dmsetup-removes-followed", 2);
        assertThat(registry.tablesMade()).isEqualTo(registry.destroyedTables());
    }

    @Test
    void aDeviceRenamedOrReloadedByDmsetupIsFollowed() throws Exception {
        String name = RealKernel.name("ren");
        String renamed = RealKernel.name("ren-new");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        dmsetup("rename", name, renamed);
        assertThatThrownBy(() -> registry.load(name, linear(4096)))
                .isInstanceOfSatisfying(DeviceRenamedException.class, e -> assertThat(e.newName()).isEqualTo(renamed));
        assertThat(registry.devices()).contains(renamed).doesNotContain(name);
        assertThat(dm.info(renamed).hasInactiveTable()).as("the load was not done").isFalse();

        String again = RealKernel.name("ren-again");
        dmsetup("rename", renamed, again);
        assertThat(registry.reconcile()).containsExactly(new Drift(renamed, Drift.Kind.RENAMED, "now managed as " + again));

        // A reload by dmsetup: the registry's slots take the kernel's tables.
        dmsetup("reload", again, "--table", "0 2048 zero");
        dmsetup("resume", again);
        assertThat(registry.reconcile()).singleElement().extracting(Drift::kind).isEqualTo(Drift.Kind.RELOADED);
        try (TableRef ref = registry.acquire(again)) {
            assertThat(ref.lines()).containsExactly(new TargetLine(0, 2048, "zero", ""));
        }
        FIGURES.put("dmsetup-renames-followed", 2);
        FIGURES.put("dmsetup-reloads-followed", 1);
        registry.remove(again);
        assertThat(dm.list(name, "")).isEmpty();
    }

    @Test
    void followingAnEventMonitorNoticesRenamesAndRemovalsByDmsetupWithoutBeingAsked() throws Exception {
        String name = RealKernel.name("follow");
        String renamed = RealKernel.name("follow-new");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        java.util.concurrent.BlockingQueue<Drift> drifts = new java.util.concurrent.LinkedBlockingQueue<>();
        try (io.dm4j.event.EventMonitor monitor = io.dm4j.event.EventMonitor.start();
                AutoCloseable following = registry.follow(monitor, drifts::add)) {
            dmsetup("rename", name, renamed);
            assertThat(drifts.poll(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(new Drift(name, Drift.Kind.RENAMED, "now managed as " + renamed));
            assertThat(registry.devices()).contains(renamed).doesNotContain(name);
            dmsetup("remove", renamed);
            assertThat(drifts.poll(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(new Drift(renamed, Drift.Kind.VANISHED, "forgotten"));
            assertThat(registry.devices()).doesNotContain(renamed);
        }
        FIGURES.put("dmsetup-changes-followed-by-events", 2);
    }

    @Test
    void aDeviceRemovedAndAnotherMadeAtItsNumberIsNotTakenForARename() throws Exception {
        String name = RealKernel.name("reuse");
        String stranger = RealKernel.name("reuse-other");
        DeviceInfo mine = registry.create(name, CreateOptions.defaults(), linear(8192));
        dmsetup("remove", name);
        dmsetup("create", stranger, "--table", "0 2048 zero");
        try {
            assertThat(dm.info(stranger).device()).as("the kernel reuses the freed minor").isEqualTo(mine.device());
            assertThat(registry.reconcile()).containsExactly(new Drift(name, Drift.Kind.VANISHED, "forgotten"));
            assertThat(registry.devices()).doesNotContain(name, stranger);
            FIGURES.put("reused-minor-not-taken-for-rename", 1);
        } finally {
            dm.remove(stranger);
        }
    }

    @Test
    void closeWithAHolderLiveAndAnAcquireInFlight() throws Exception {
        TableRegistry closing = TableRegistry.open(dm, RegistryOptions.defaults().destroyTimeout(Duration.ofMillis(500)));
        String name = RealKernel.name("close");
        closing.create(name, CreateOptions.defaults(), linear(8192));
        try {
            // A holder on another thread, kept across the close.
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
                try (TableRef r = closing.acquire(name)) {
                    held.countDown();
                    release.await();
                } catch (RegistryException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, pool);
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acquires = new AtomicLong();
            CountDownLatch acquiring = new CountDownLatch(1);
            CompletableFuture<Throwable> acquirer = CompletableFuture.supplyAsync(() -> {
                while (!stop.get()) {
                    try (TableRef r = closing.acquire(name)) {
                        acquires.incrementAndGet();
                        acquiring.countDown();
                    } catch (RegistryException e) {
                        return e;
                    }
                }
                return null;
            }, pool);
            assertThat(acquiring.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(closing::close).isInstanceOfSatisfying(HoldersTimeoutException.class,
                    e -> assertThat(e.count()).isEqualTo(1));
            Throwable ended = acquirer.get(5, TimeUnit.SECONDS);
            stop.set(true);
            assertThat(ended).isInstanceOf(RegistryClosedException.class);
            assertThat(acquires.get()).isPositive();
            FIGURES.put("close-acquires-before", acquires.get());
            // Nothing runs after close: no ioctl, no table made.
            long made = closing.tablesMade();
            assertThatThrownBy(() -> closing.load(name, linear(4096))).isInstanceOf(RegistryClosedException.class);
            assertThatThrownBy(() -> closing.create(RealKernel.name("close-new"), CreateOptions.defaults()))
                    .isInstanceOf(RegistryClosedException.class);
            assertThat(closing.tablesMade()).isEqualTo(made);
            assertThat(dm.info(name).hasInactiveTable()).isFalse();
            // The held table is reported, not destroyed; every other table was destroyed once.
            assertThat(closing.destroyedTables()).isEqualTo(made - 1);
            release.countDown();
            holder.get(5, TimeUnit.SECONDS);
        } finally {
            dm.remove(name); // close leaves kernel devices as they are
        }
    }

    @Test
    void aStackedLoadRacingARemoveOfTheDeviceBeneathNeverBothSucceed() throws Exception {
        int stackWon = 0;
        int removeWon = 0;
        int bothRefused = 0;
        for (int round = 0; round < 20; round++) {
            String lower = RealKernel.name("race-low" + round);
            String upper = RealKernel.name("race-up" + round);
            DeviceInfo low = registry.create(lower, CreateOptions.defaults(), linear(8192));
            registry.create(upper, CreateOptions.defaults());
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Throwable> stack = CompletableFuture.supplyAsync(() -> attempt(go,
                    () -> registry.load(upper, List.of(new TargetLine(0, 8192, "linear", low.device() + " 0")))),
                    pool);
            CompletableFuture<Throwable> remove = CompletableFuture.supplyAsync(() -> attempt(go,
                    () -> registry.remove(lower)), pool);
            go.countDown();
            Throwable stacked = stack.get(60, TimeUnit.SECONDS);
            Throwable removed = remove.get(60, TimeUnit.SECONDS);
            assertThat(stacked == null && removed == null).as("round %d: both succeeded", round).isFalse();
            if (stacked == null) {
                stackWon++;
                assertThat(removed).isInstanceOf(DeviceInUseException.class);
                assertThat(dm.info(upper).hasInactiveTable()).isTrue();
                registry.removeStack(upper);
            } else if (removed == null) {
                removeWon++;
                assertThat(dm.info(upper).hasInactiveTable()).as("no table on a removed device").isFalse();
                registry.remove(upper);
            } else {
                bothRefused++;
                registry.remove(upper);
                registry.remove(lower);
            }
            assertThat(registry.devices()).doesNotContain(lower, upper);
        }
        FIGURES.put("stacked-load-remove-races", 20);
        FIGURES.put("races-stack-first", stackWon);
        FIGURES.put("races-remove-first", removeWon);
        FIGURES.put("races-both-refused", bothRefused);
    }

    private static Throwable attempt(CountDownLatch go, IoBody body) {
        try {
            go.await();
            body.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void aDanglingUdevLinkKeepsTheRemoveWaitingUntilItGoes() throws Exception {
        // NONE: dm4j makes no node itself, so /dev/mapper holds only what "udev" (this test) made.
        try (DeviceMapper raw = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.NONE);
                TableRegistry udevLike = TableRegistry.open(raw)) {
            String name = RealKernel.name("link");
            DeviceInfo info = udevLike.create(name, CreateOptions.defaults(), linear(8192));
            Path link = Path.of("/dev/mapper", name);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("../dm-" + info.device().minor()));
            CompletableFuture<Void> udev = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(800); // udev removes the link late, after the kernel removed dm-N
                    Files.delete(link);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, pool);
            long start = System.nanoTime();
            udevLike.remove(name);
            assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).as("complete only once the link went").isFalse();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isGreaterThan(Duration.ofMillis(600));
            udev.get(10, TimeUnit.SECONDS);
            FIGURES.put("dangling-link-remove-waited-ms", waited.toMillis());

            // A link that stays: the kernel removed the device, the registry forgot it and says what lingers.
            String stays = RealKernel.name("link-stays");
            DeviceInfo second = udevLike.create(stays, CreateOptions.defaults(), linear(8192));
            Path stuck = Path.of("/dev/mapper", stays);
            Files.deleteIfExists(stuck);
            Files.createSymbolicLink(stuck, Path.of("../dm-" + second.device().minor()));
            try {
                assertThatThrownBy(() -> udevLike.remove(stays, new RemovePolicy(Duration.ofSeconds(5),
                        Duration.ofMillis(100), false, Duration.ofMillis(300))))
                        .isInstanceOfSatisfying(RemoveFailedException.class, e -> {
                            assertThat(e.kernelChanged()).isTrue();
                            assertThat(e.getMessage()).contains(stuck.toString());
                        });
                assertThat(udevLike.devices()).doesNotContain(stays);
                assertThat(raw.list(stays, "")).isEmpty();
            } finally {
                Files.deleteIfExists(stuck);
            }
        }
    }

    @Test
    void anOperationWaitingForTheDeviceLockAnswersAnInterrupt() throws Exception {
        String name = RealKernel.name("intr-lock");
        registry.create(name, CreateOptions.defaults(), linear(8192));
        TableRef holder = registry.acquire(name, TableSlot.LIVE);
        // A remove holds the device's lock while it waits for the holder...
        CompletableFuture<Interrupted> removing = onThread(new AtomicReference<>(), () -> registry.remove(name,
                RemovePolicy.defaults().holderTimeout(Duration.ofSeconds(20))));
        Thread.sleep(300);
        // ...so a load waits for the lock; interrupting it must end it at once, changing nothing.
        AtomicReference<Thread> loader = new AtomicReference<>();
        CompletableFuture<Interrupted> loading = onThread(loader, () -> registry.load(name, linear(4096)));
        awaitWaiting(loader.get());
        long interruptedAt = System.nanoTime();
        loader.get().interrupt();
        Interrupted result = loading.get(30, TimeUnit.SECONDS);
        assertThat(result.thrown()).isInstanceOf(OperationInterruptedException.class);
        assertThat(Duration.ofNanos(result.endedNanos() - interruptedAt)).isLessThan(PROMPT);
        assertThat(result.flagKept()).isTrue();
        assertThat(dm.info(name).hasInactiveTable()).isFalse();
        holder.close();
        assertThat(removing.get(30, TimeUnit.SECONDS).thrown()).isNull();
    }
}
