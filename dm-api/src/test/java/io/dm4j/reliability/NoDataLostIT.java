package io.dm4j.reliability;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.SuspendOption;
import io.dm4j.TargetLine;
import io.dm4j.registry.DeviceChannel;
import io.dm4j.registry.RegistryOptions;
import io.dm4j.registry.TableRegistry;
import io.dm4j.testing.BlockIo;
import io.dm4j.testing.Blocks;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * No data lost: random 4 KiB writes, each block carrying its index, version and checksum, through
 * linear, striped, crypt, thin and snapshot devices, while the top device is suspended and resumed
 * (with and without flush), gets an equivalent table loaded, and is renamed; then it is removed.
 * Afterwards the backing devices hold exactly the last acknowledged version of every block: read
 * directly where the mapping is simple (linear, striped, the snapshot's origin), or through the
 * stack built again from what is on disk (crypt with the same key, the thin pool's metadata, the
 * snapshot's persistent exception store).
 *
 * <p>Every block starts as version 1 (written through the new stack; for the snapshot, on its
 * origin). Writes per stack: 2,000 (10,000 in all); 10,000 per stack with
 * {@code -Ddm4j.reliability=full}.
 */
@ExtendWith(RealKernel.class)
class NoDataLostIT {
    private static final int BLOCKS = 1024; // 4 MiB per stack
    private static final long SECTORS = (long) BLOCKS * Blocks.SIZE / 512;
    private static final int WRITES = "full".equals(System.getProperty("dm4j.reliability")) ? 10_000 : 2_000;
    private static final String KEY = HexFormat.of().formatHex(BlockIo.pattern(42, 64));

    @TempDir
    static Path dir;

    static LoopDevice a;
    static LoopDevice b;
    static LoopDevice c;
    static DeviceMapper dm;
    static TableRegistry registry;
    static final Map<String, Object> figures = new java.util.LinkedHashMap<>();

    enum Kind { LINEAR, STRIPED, CRYPT, THIN, SNAPSHOT }

    @BeforeAll
    static void setUp() throws IOException {
        a = LoopDevice.create(dir, 16L << 20);
        b = LoopDevice.create(dir, 16L << 20);
        c = LoopDevice.create(dir, 16L << 20);
        dm = DeviceMapper.open();
        registry = TableRegistry.open(dm, RegistryOptions.defaults().destroyTimeout(Duration.ofSeconds(20)));
    }

    @AfterAll
    static void tearDown() throws IOException {
        registry.close();
        dm.close();
        a.close();
        b.close();
        c.close();
        ReliabilityLog log = ReliabilityLog.of("no-data-lost").put("writes-per-stack", WRITES)
                .put("blocks-per-stack", BLOCKS);
        figures.forEach(log::put);
        log.write();
    }

    @AfterEach
    void removeWhatAFailureLeft() throws IOException {
        for (String name : registry.devices()) {
            if (registry.devices().contains(name)) {
                registry.removeStack(name);
            }
        }
    }

    @Test
    void linear() throws Exception {
        run(Kind.LINEAR);
    }

    @Test
    void striped() throws Exception {
        run(Kind.STRIPED);
    }

    @Test
    void crypt() throws Exception {
        run(Kind.CRYPT);
    }

    @Test
    void thin() throws Exception {
        run(Kind.THIN);
    }

    @Test
    void snapshot() throws Exception {
        run(Kind.SNAPSHOT);
    }

    private static String name(Kind kind, String part) {
        return RealKernel.name("nolost-" + kind.name().toLowerCase(java.util.Locale.ROOT) + part);
    }

    /** The top device's table (and, for its reload, an equivalent one). */
    private static List<TargetLine> top(Kind kind, DeviceNumber pool, boolean reload) {
        return switch (kind) {
            case LINEAR -> reload ? List.of(new TargetLine(0, SECTORS / 2, "linear", a.number() + " 0"),
                    new TargetLine(SECTORS / 2, SECTORS / 2, "linear", a.number() + " " + SECTORS / 2))
                    : List.of(new TargetLine(0, SECTORS, "linear", a.number() + " 0"));
            case STRIPED -> List.of(new TargetLine(0, SECTORS, "striped", "2 8 " + a.number() + " 0 " + b.number() + " 0"));
            case CRYPT -> List.of(new TargetLine(0, SECTORS, "crypt", "aes-xts-plain64 " + KEY + " 0 " + a.number() + " 0"));
            case THIN -> List.of(new TargetLine(0, SECTORS, "thin", pool + " 0"));
            case SNAPSHOT -> List.of(new TargetLine(0, SECTORS, "snapshot", a.number() + " " + b.number() + " P 8"));
        };
    }

    /** Builds what is below the top device; for a new stack, prepares the disks first. */
    private static DeviceNumber below(Kind kind, boolean fresh) throws IOException {
        switch (kind) {
            case THIN -> {
                if (fresh) {
                    BlockIo.zero(Path.of(c.path()), Blocks.SIZE); // no old pool metadata
                }
                String pool = name(kind, "-pool");
                var info = registry.create(pool, CreateOptions.defaults(),
                        List.of(new TargetLine(0, 2 * SECTORS, "thin-pool", c.number() + " " + b.number() + " 128 0")));
                if (fresh) {
                    dm.message(pool, 0, "create_thin 0");
                }
                return info.device();
            }
            case SNAPSHOT -> {
                if (fresh) {
                    writeAll(Path.of(a.path()), 1); // the origin's data, which the snapshot shares at first
                    BlockIo.zero(Path.of(b.path()), Blocks.SIZE); // no old exception store
                }
                return registry.create(name(kind, "-origin"), CreateOptions.defaults(),
                        List.of(new TargetLine(0, SECTORS, "snapshot-origin", a.number().toString()))).device();
            }
            default -> {
                if (fresh) {
                    BlockIo.zero(Path.of(a.path()), SECTORS * 512);
                    BlockIo.zero(Path.of(b.path()), SECTORS * 512);
                }
                return null;
            }
        }
    }

    private void run(Kind kind) throws Exception {
        Blocks ledger = new Blocks(BLOCKS);
        String topName = name(kind, "");
        DeviceNumber pool = below(kind, true);
        var created = registry.create(topName, CreateOptions.defaults(), top(kind, pool, false));
        if (kind != Kind.SNAPSHOT) { // the snapshot starts with the origin's version 1
            writeAll(Path.of("/dev/dm-" + created.device().minor()), 1);
        }
        for (int i = 0; i < BLOCKS; i++) {
            ledger.acknowledged(i, 1);
        }
        String current = topName;
        AtomicInteger acks = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int operations = 0;
        try (DeviceChannel ch = registry.openChannel(topName, READ, WRITE, BlockIo.DIRECT)) {
            Thread writer = new Thread(() -> {
                Random r = new Random(kind.ordinal());
                ByteBuffer buf = BlockIo.aligned(Blocks.SIZE);
                try {
                    for (int n = 0; n < WRITES; n++) {
                        int i = r.nextInt(BLOCKS);
                        int version = ledger.acknowledged(i) + 1;
                        Blocks.fill(buf, i, version);
                        while (buf.hasRemaining()) {
                            ch.write(buf, (long) i * Blocks.SIZE + buf.position());
                        }
                        ledger.acknowledged(i, version);
                        acks.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "writer-" + kind);
            writer.start();
            // While it writes: suspend/resume with and without flush, an equivalent table, a rename.
            for (int step = 1; step <= 8 && writer.isAlive(); step++) {
                int target = WRITES * step / 9;
                while (acks.get() < target && writer.isAlive()) {
                    Thread.sleep(5);
                }
                switch (step % 4) {
                    case 1 -> {
                        dm.suspend(current);
                        dm.resume(current);
                    }
                    case 2 -> {
                        dm.suspend(current, SuspendOption.NO_FLUSH);
                        dm.resume(current);
                    }
                    case 3 -> {
                        registry.load(current, top(kind, pool, true));
                        registry.resume(current);
                    }
                    default -> {
                        String next = current.equals(topName) ? topName + "-renamed" : topName;
                        registry.rename(current, next);
                        current = next;
                    }
                }
                operations++;
            }
            writer.join();
            assertThat(failure.get()).as("a write failed").isNull();
            ch.force();
            assertThat(lost(ch, ledger)).as("blocks not as acknowledged, read through the live stack").isZero();
        }
        registry.removeStack(current);
        if (kind == Kind.SNAPSHOT) {
            registry.remove(name(kind, "-origin"));
        }
        assertThat(dm.list(name(kind, ""), "")).isEmpty();

        int lost;
        int originChanged = 0;
        switch (kind) {
            case LINEAR -> lost = lost(Path.of(a.path()), 0, ledger, 0, 1);
            case STRIPED -> lost = lost(Path.of(a.path()), 0, ledger, 0, 2) + lost(Path.of(b.path()), 0, ledger, 1, 2);
            default -> {
                // Built again from the disks alone.
                DeviceNumber again = below(kind, false);
                String rebuilt = name(kind, "-again");
                var info = registry.create(rebuilt, CreateOptions.defaults(), top(kind, again, false));
                try (FileChannel ch = FileChannel.open(Path.of("/dev/dm-" + info.device().minor()), READ,
                        BlockIo.DIRECT)) {
                    lost = lost(ch, 0, ledger, 0, 1);
                }
                registry.removeStack(rebuilt);
                if (kind == Kind.SNAPSHOT) {
                    registry.remove(name(kind, "-origin"));
                    // Writes to the snapshot never reach the origin: it still holds version 1 everywhere.
                    Blocks ones = new Blocks(BLOCKS);
                    for (int i = 0; i < BLOCKS; i++) {
                        ones.acknowledged(i, 1);
                    }
                    originChanged = lost(Path.of(a.path()), 0, ones, 0, 1);
                }
            }
        }
        String k = kind.name().toLowerCase(java.util.Locale.ROOT);
        figures.put(k + ".writes", WRITES);
        figures.put(k + ".operations", operations);
        figures.put(k + ".lost", lost);
        if (kind == Kind.SNAPSHOT) {
            figures.put(k + ".origin-blocks-changed", originChanged);
        }
        assertThat(lost).as("blocks not as acknowledged on the backing devices").isZero();
        assertThat(originChanged).isZero();
    }

    /** Writes version {@code version} of every block, in one go. */
    private static void writeAll(Path device, int version) throws IOException {
        ByteBuffer all = BlockIo.aligned(BLOCKS * Blocks.SIZE);
        ByteBuffer one = BlockIo.aligned(Blocks.SIZE);
        for (int i = 0; i < BLOCKS; i++) {
            Blocks.fill(one, i, version);
            all.put(one);
        }
        all.flip();
        try (FileChannel ch = FileChannel.open(device, WRITE, BlockIo.DIRECT)) {
            while (all.hasRemaining()) {
                ch.write(all, all.position());
            }
            ch.force(true);
        }
    }

    private static int lost(DeviceChannel ch, Blocks ledger) throws IOException {
        ByteBuffer all = BlockIo.aligned(BLOCKS * Blocks.SIZE);
        while (all.hasRemaining()) {
            if (ch.read(all, all.position()) < 0) {
                throw new IOException("short device");
            }
        }
        return compare(all, ledger, 0, 1);
    }

    private static int lost(Path device, long offset, Blocks ledger, int first, int step) throws IOException {
        try (FileChannel ch = FileChannel.open(device, READ, BlockIo.DIRECT)) {
            return lost(ch, offset, ledger, first, step);
        }
    }

    /**
     * Compares blocks {@code first, first + step, ...} of the ledger with consecutive 4 KiB blocks
     * of a device from {@code offset} (for striped: each stripe holds every other block).
     */
    private static int lost(FileChannel ch, long offset, Blocks ledger, int first, int step) throws IOException {
        ByteBuffer all = BlockIo.aligned(BLOCKS / step * Blocks.SIZE);
        while (all.hasRemaining()) {
            if (ch.read(all, offset + all.position()) < 0) {
                throw new IOException("short device");
            }
        }
        return compare(all, ledger, first, step);
    }

    private static int compare(ByteBuffer all, Blocks ledger, int first, int step) {
        int lost = 0;
        for (int k = 0; k * step + first < BLOCKS && (k + 1) * Blocks.SIZE <= all.capacity(); k++) {
            int i = k * step + first;
            ByteBuffer one = all.slice(k * Blocks.SIZE, Blocks.SIZE);
            try {
                lost += Blocks.versionOf(one, i) == ledger.acknowledged(i) ? 0 : 1;
            } catch (AssertionError torn) {
                lost++;
            }
        }
        return lost;
    }
}
