package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load: 8 threads run a random mix of registry and kernel operations on many devices (references
 * taken and dropped, loads, resumes, clears, suspends, queries, renames, removes and re-creates,
 * channel reads) while a checker thread asserts the registry's invariants over and over: no
 * holder count below zero, no table in a slot destroyed, never more tables destroyed than made.
 * Refusals that the API documents for a race (the device was renamed or removed meanwhile, the
 * slot is empty) are counted; anything else is an unexpected error and fails the test. At the end
 * every device is removed, nothing is left, and after close each table was destroyed exactly once.
 *
 * <p>60 devices for 10 s; 200 devices for 60 s with {@code -Ddm4j.reliability=full}.
 */
@ExtendWith(RealKernel.class)
class LoadIT {
    private static final boolean FULL = "full".equals(System.getProperty("dm4j.reliability"));
    private static final int DEVICES = FULL ? 200 : 60;
    private static final Duration TIME = Duration.ofSeconds(FULL ? 60 : 10);
    private static final int THREADS = 8;
    private static final long SLICE = 64; // sectors of the loop device per linear device

    @TempDir
    Path dir;

    /** One device position: its current name, and a lock for the operations that change the name. */
    private static final class Slot {
        final String base;
        final boolean linear;
        volatile String name;
        final ReentrantLock structure = new ReentrantLock();

        Slot(String base, boolean linear) {
            this.base = base;
            this.name = base;
            this.linear = linear;
        }
    }

    private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> unexpected = new AtomicReference<>();
    private final LongAdder invariantChecks = new LongAdder();

    @Test
    void eightThreadsOfMixedOperationsOnManyDevices() throws Exception {
        try (LoopDevice loop = LoopDevice.create(dir, DEVICES * SLICE * 512); DeviceMapper dm = DeviceMapper.open()) {
            TableRegistry registry = TableRegistry.open(dm, RegistryOptions.defaults()
                    .destroyTimeout(Duration.ofSeconds(30)));
            List<Slot> slots = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                Slot s = new Slot(RealKernel.name("load-" + i), i % 4 == 0);
                registry.create(s.name, CreateOptions.defaults(), table(s, loop, i, 0));
                slots.add(s);
            }
            long deadline = System.nanoTime() + TIME.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                threads.add(started("load-" + t, () -> work(dm, registry, loop, slots, new Random(seed), deadline)));
            }
            Thread checker = started("invariants", () -> {
                while (System.nanoTime() < deadline && unexpected.get() == null) {
                    checkInvariants(registry);
                    sleep(20);
                }
            });
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(5));
            }
            checker.join();
            if (unexpected.get() != null) {
                throw new AssertionError("unexpected error under load", unexpected.get());
            }
            checkInvariants(registry);
            for (Slot s : slots) {
                registry.remove(s.name);
            }
            assertThat(registry.devices()).isEmpty();
            assertThat(dm.list(RealKernel.name("load-"), "")).isEmpty();
            try (Stream<Path> holders = Files.list(Path.of("/sys/class/block",
                    Path.of(loop.path()).getFileName().toString(), "holders"))) {
                assertThat(holders).isEmpty();
            }
            registry.close();
            assertThat(registry.destroyedTables()).as("each table destroyed exactly once")
                    .isEqualTo(registry.tablesMade());
            long total = operations.values().stream().mapToLong(LongAdder::sum).sum();
            long refused = refusals.values().stream().mapToLong(LongAdder::sum).sum();
            assertThat(total).isGreaterThan(THREADS * 10L);
            ReliabilityLog log = ReliabilityLog.of("load").put("threads", THREADS).put("devices", DEVICES)
                    .put("seconds", TIME.toSeconds()).put("operations", total).put("expected-refusals", refused)
                    .put("unexpected-errors", 0).put("invariant-checks", invariantChecks.sum())
                    .put("tables-made", registry.tablesMade()).put("tables-destroyed", registry.destroyedTables())
                    .put("devices-left", 0);
            new TreeMap<>(operations).forEach((op, n) -> log.put("op." + op, n.sum()));
            new TreeMap<>(refusals).forEach((why, n) -> log.put("refused." + why, n.sum()));
            log.write();
        }
    }

    private static List<TargetLine> table(Slot s, LoopDevice loop, int index, int variant) {
        if (s.linear) {
            return List.of(new TargetLine(0, SLICE - variant, "linear", loop.number() + " " + index * SLICE));
        }
        return List.of(new TargetLine(0, 1024 + variant, "zero", ""));
    }

    private void work(DeviceMapper dm, TableRegistry registry, LoopDevice loop, List<Slot> slots, Random r,
            long deadline) {
        while (System.nanoTime() < deadline && unexpected.get() == null) {
            int index = r.nextInt(slots.size());
            Slot s = slots.get(index);
            String name = s.name;
            int dice = r.nextInt(100);
            String op = dice < 30 ? "acquire-live" : dice < 38 ? "acquire-inactive" : dice < 52 ? "load"
                    : dice < 62 ? "resume" : dice < 66 ? "clear" : dice < 76 ? "query" : dice < 80 ? "suspend-resume"
                    : dice < 85 ? "rename" : dice < 90 ? "remove-create" : "channel-read";
            // Debian's 6.1 kernel corrupts its slab when a device is renamed after an inactive table
            // was cleared (a dm-ima double free, found here; dmsetup triggers it too): odd slots are
            // renamed, even slots cleared, never both. See RELIABILITY.md.
            if (op.equals("clear") && index % 2 == 1) {
                op = "rename";
            } else if (op.equals("rename") && index % 2 == 0) {
                op = "clear";
            }
            try {
                switch (op) {
                    case "acquire-live", "acquire-inactive" -> {
                        try (TableRef ref = registry.acquire(name,
                                op.equals("acquire-live") ? TableSlot.LIVE : TableSlot.INACTIVE)) {
                            if (ref.tableDestroyed() || ref.lines().isEmpty()) {
                                throw new AssertionError("a held table of " + name + " is destroyed or empty");
                            }
                        }
                    }
                    case "load" -> registry.load(name, table(s, loop, index, r.nextInt(8)));
                    case "resume" -> registry.resume(name);
                    case "clear" -> registry.clear(name);
                    case "query" -> {
                        dm.info(name);
                        dm.table(name);
                        dm.status(name);
                    }
                    case "suspend-resume", "rename", "remove-create" -> {
                        // Under the slot's lock: a suspended device must get its resume, by its name.
                        if (!s.structure.tryLock()) {
                            refused("slot-busy");
                            continue;
                        }
                        try {
                            if (op.equals("suspend-resume")) {
                                registry.suspend(s.name, r.nextBoolean() ? new SuspendOption[0]
                                        : new SuspendOption[] {SuspendOption.NO_FLUSH});
                                registry.resume(s.name); // a pending table goes live in both views
                            } else if (op.equals("rename")) {
                                String next = s.name.equals(s.base) ? s.base + "-r" : s.base;
                                registry.rename(s.name, next);
                                s.name = next;
                            } else {
                                registry.remove(s.name);
                                s.name = s.base;
                                registry.create(s.name, CreateOptions.defaults(), table(s, loop, index, 0));
                            }
                        } finally {
                            s.structure.unlock();
                        }
                    }
                    default -> {
                        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.READ)) {
                            ch.read(ByteBuffer.allocate(4096), 0);
                        }
                    }
                }
                operations.computeIfAbsent(op, k -> new LongAdder()).increment();
            } catch (NotManagedException | DeviceRemovingException e) {
                refused("renamed-or-removed-meanwhile"); // the name changed or the device is going
            } catch (NoTableException e) {
                refused("slot-empty");
            } catch (DeviceNotFoundException e) {
                refused("renamed-or-removed-meanwhile"); // a kernel query raced a rename or remove
            } catch (Throwable e) {
                unexpected.compareAndSet(null, new AssertionError(op + " on " + name, e));
            }
        }
    }

    private void refused(String why) {
        refusals.computeIfAbsent(why, k -> new LongAdder()).increment();
    }

    /** The registry's invariants, read while the workers run. */
    private void checkInvariants(TableRegistry registry) {
        for (ManagedDevice d : registry.managedDevices()) {
            for (TableSlot slot : TableSlot.values()) {
                Table t = d.slot(slot);
                if (t == null) {
                    continue;
                }
                int holders = t.holders.count();
                if (holders > THREADS * 2) {
                    fail("holders of a table of " + d.name + " out of range (below zero wraps): " + holders);
                }
                if (t.isDestroyed() && d.slot(slot) == t && d.state == ManagedDevice.State.ACTIVE) {
                    fail("a table still in the " + slot + " slot of " + d.name + " was destroyed");
                }
            }
            if (d.channels.count() > THREADS * 2) {
                fail("channel holders of " + d.name + " out of range: " + d.channels.count());
            }
        }
        long destroyed = registry.destroyedTables();
        if (destroyed > registry.tablesMade()) {
            fail("more tables destroyed (" + destroyed + ") than made (" + registry.tablesMade() + ")");
        }
        invariantChecks.increment();
    }

    private void fail(String what) {
        unexpected.compareAndSet(null, new AssertionError("invariant broken: " + what));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true); // a worker stuck in the kernel must not keep the JVM from ending the run
        t.start();
        return t;
    }
}
