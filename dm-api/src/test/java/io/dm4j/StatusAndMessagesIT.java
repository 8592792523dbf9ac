package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.nio.file.ExtendedOpenOption;
import io.dm4j.message.CacheMessage;
import io.dm4j.message.DeviceStats;
import io.dm4j.message.EraMessage;
import io.dm4j.message.MultipathMessage;
import io.dm4j.message.RaidMessage;
import io.dm4j.message.ThinPoolMessage;
import io.dm4j.message.WritecacheMessage;
import io.dm4j.status.CacheStatus;
import io.dm4j.status.DelayStatus;
import io.dm4j.status.EmptyStatus;
import io.dm4j.status.EraStatus;
import io.dm4j.status.IntegrityStatus;
import io.dm4j.status.MultipathStatus;
import io.dm4j.status.RaidStatus;
import io.dm4j.status.SnapshotStatus;
import io.dm4j.status.StatusReport;
import io.dm4j.status.ThinPoolStatus;
import io.dm4j.status.ThinStatus;
import io.dm4j.status.VerityStatus;
import io.dm4j.status.WritecacheStatus;
import io.dm4j.sys.Errno;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed status and typed messages on the real kernel: each target is built over loop devices, data
 * moves through it, its messages are sent, and its status is parsed and checked against what the
 * test did. Tables are raw {@link TargetLine}s.
 */
@ExtendWith(RealKernel.class)
class StatusAndMessagesIT {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    DeviceMapper dm;

    @BeforeEach
    void open() throws IOException {
        dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.LIBRARY);
    }

    /** Removes this class's devices, users before what they use, then closes the client. */
    @AfterEach
    void removeOwnDevices() throws IOException {
        try {
            for (int pass = 0; pass < 5; pass++) {
                List<DeviceListEntry> left = dm.list(RealKernel.name("st-"), "");
                if (left.isEmpty()) {
                    break;
                }
                for (DeviceListEntry e : left) {
                    try {
                        dm.remove(e.name());
                    } catch (DeviceBusyException busy) {
                        // Used by another of ours: the next pass gets it.
                    }
                }
            }
        } finally {
            dm.close();
        }
    }

    private String device(String suffix, TargetLine... table) throws IOException {
        String name = RealKernel.name("st-" + suffix);
        dm.create(name);
        dm.load(name, List.of(table));
        dm.resume(name);
        return name;
    }

    private StatusReport status(String name) throws IOException {
        List<TargetStatus> lines = dm.status(name);
        assertThat(lines).hasSize(1);
        return StatusReport.parse(lines.get(0));
    }

    private <T> T status(String name, Class<T> kind) throws IOException {
        StatusReport report = status(name);
        assertThat(report).as("%s status", name).isInstanceOf(kind);
        return kind.cast(report);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >>> 9));
        }
        return b;
    }

    /**
     * Writes with O_DIRECT: the block devices' page caches would otherwise answer reads that must
     * reach the target, and their readahead would read past what a test wrote.
     */
    private static void write(Path node, long offset, byte[] data) throws IOException {
        try (FileChannel c = FileChannel.open(node, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            ByteBuffer b = aligned(data.length).put(data).flip();
            while (b.hasRemaining()) {
                c.write(b, offset + b.position());
            }
            c.force(true);
        }
    }

    private static byte[] read(Path node, long offset, int length) throws IOException {
        try (FileChannel c = FileChannel.open(node, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            ByteBuffer b = aligned(length);
            while (b.hasRemaining()) {
                if (c.read(b, offset + b.position()) < 0) {
                    throw new IOException("end of " + node + " at " + (offset + b.position()));
                }
            }
            byte[] out = new byte[length];
            b.flip().get(out);
            return out;
        }
    }

    private static ByteBuffer aligned(int length) {
        return ByteBuffer.allocateDirect(length + 4096).alignedSlice(4096).limit(length);
    }

    private static Path node(String name) {
        return Path.of("/dev/mapper", name);
    }

    private static Path node(LoopDevice loop) {
        return Path.of(loop.path());
    }

    @Test
    void thinVolumesAndSnapshotsByMessagesDivergeAndThePoolStatusFollows() throws Exception {
        try (LoopDevice meta = LoopDevice.create(dir, 8L * MIB); LoopDevice data = LoopDevice.create(dir, 64L * MIB)) {
            // 64 KiB blocks: 1024 data blocks.
            String pool = device("pool", new TargetLine(0, data.sectors(), "thin-pool",
                    meta.number() + " " + data.number() + " 128 64"));
            ThinPoolStatus.Working fresh = status(pool, ThinPoolStatus.Working.class);
            assertThat(fresh.totalDataBlocks()).isEqualTo(1024);
            assertThat(fresh.usedDataBlocks()).isZero();
            assertThat(fresh.transactionId()).isZero();
            assertThat(fresh.mode()).isEqualTo(ThinPoolStatus.Mode.READ_WRITE);

            assertThat(ThinPoolMessage.createThin(1).send(dm, pool)).as("thin messages return nothing").isEmpty();
            assertThatThrownBy(() -> ThinPoolMessage.createThin(1).send(dm, pool))
                    .isInstanceOfSatisfying(DeviceMapperException.class, e -> {
                        assertThat(e.is(Errno.EEXIST)).as(e.getMessage()).isTrue();
                        assertThat(e.command()).isEqualTo(DmCommand.DM_TARGET_MSG);
                        assertThat(e.hint()).contains("dmesg");
                    });
            assertThatThrownBy(() -> RaidMessage.CHECK.send(dm, pool))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("thin-pool");
            assertThatThrownBy(() -> ThinPoolMessage.delete(1).send(dm, pool, data.sectors()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("sector");

            String poolDev = dm.info(pool).device().toString();
            String thin = device("thin", new TargetLine(0, 256L << 11, "thin", poolDev + " 1"));
            assertThat(status(thin)).isEqualTo(new ThinStatus.Working(0, OptionalLong.empty()));
            byte[] a = pattern(MIB, 1);
            write(node(thin), 0, a);
            assertThat(status(thin)).isEqualTo(new ThinStatus.Working(2048, OptionalLong.of(2047)));
            assertThat(status(pool, ThinPoolStatus.Working.class).usedDataBlocks()).isEqualTo(16);

            // A snapshot of an active thin volume: suspend it first, so no write is in flight.
            dm.suspend(thin);
            ThinPoolMessage.createSnapshot(2, 1).send(dm, pool);
            dm.resume(thin);
            String snap = device("snap", new TargetLine(0, 256L << 11, "thin", poolDev + " 2"));
            assertThat(read(node(snap), 0, MIB)).as("the snapshot shares the origin's data").isEqualTo(a);
            assertThat(status(snap)).isEqualTo(status(thin));
            assertThat(status(pool, ThinPoolStatus.Working.class).usedDataBlocks()).as("shared, not copied")
                    .isEqualTo(16);

            byte[] b = pattern(MIB, 2);
            byte[] c = pattern(MIB, 3);
            write(node(snap), 0, b);
            write(node(thin), 0, c);
            assertThat(read(node(thin), 0, MIB)).isEqualTo(c);
            assertThat(read(node(snap), 0, MIB)).isEqualTo(b).isNotEqualTo(c);
            assertThat(status(pool, ThinPoolStatus.Working.class).usedDataBlocks()).as("both copies").isEqualTo(32);

            ThinPoolMessage.setTransactionId(0, 5).send(dm, pool);
            assertThat(status(pool, ThinPoolStatus.Working.class).transactionId()).isEqualTo(5);
            assertThatThrownBy(() -> ThinPoolMessage.setTransactionId(0, 6).send(dm, pool))
                    .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
            assertThat(status(pool, ThinPoolStatus.Working.class).transactionId()).as("unchanged").isEqualTo(5);

            ThinPoolMessage.reserveMetadataSnapshot().send(dm, pool);
            assertThat(status(pool, ThinPoolStatus.Working.class).heldMetadataRoot()).isPresent();
            ThinPoolMessage.releaseMetadataSnapshot().send(dm, pool);
            assertThat(status(pool, ThinPoolStatus.Working.class).heldMetadataRoot()).isEmpty();

            dm.remove(snap);
            ThinPoolMessage.delete(2).send(dm, pool);
            assertThat(status(pool, ThinPoolStatus.Working.class).usedDataBlocks()).as("the snapshot's block freed")
                    .isEqualTo(16);
            dm.remove(thin);
            ThinPoolMessage.delete(1).send(dm, pool);
            dm.remove(pool);
        }
    }

    @Test
    void raidCheckCountsMismatchesRepairFixesThemAndIdleStops() throws Exception {
        try (LoopDevice leg0 = LoopDevice.create(dir, 256L * MIB); LoopDevice leg1 = LoopDevice.create(dir, 256L * MIB)) {
            // Legs that differ in their first MiB, assembled without a resync.
            write(node(leg0), 0, pattern(MIB, 4));
            write(node(leg1), 0, pattern(MIB, 5));
            String raid = device("raid1", new TargetLine(0, 255L << 11, "raid",
                    "raid1 4 0 region_size 4096 nosync 2 - " + leg0.number() + " - " + leg1.number()));
            RaidStatus assembled = status(raid, RaidStatus.class);
            assertThat(assembled.raidType()).isEqualTo("raid1");
            assertThat(assembled.devices()).isEqualTo(2);
            assertThat(assembled.inSync()).isTrue();
            assertThat(assembled.mismatches()).isZero();

            RaidMessage.FROZEN.send(dm, raid);
            assertThat(status(raid, RaidStatus.class).syncAction()).isEqualTo(RaidStatus.SyncAction.FROZEN);
            RaidMessage.IDLE.send(dm, raid);
            assertThat(status(raid, RaidStatus.class).syncAction()).isEqualTo(RaidStatus.SyncAction.IDLE);

            // md checks at most speed_limit_max (200 MB/s by default): 255 MiB keep it busy long enough.
            RaidMessage.CHECK.send(dm, raid);
            RaidStatus running = status(raid, RaidStatus.class);
            assertThat(running.syncAction()).as("just after the message").isEqualTo(RaidStatus.SyncAction.CHECK);
            assertThatThrownBy(() -> RaidMessage.RESYNC.send(dm, raid)).as("another action while check runs")
                    .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.is(Errno.EBUSY)).isTrue());
            RaidStatus checked = awaitIdle(raid);
            assertThat(checked.mismatches()).as("the differing MiB, in sectors").isEqualTo(2048);

            RaidMessage.REPAIR.send(dm, raid);
            awaitIdle(raid);
            RaidMessage.CHECK.send(dm, raid);
            assertThat(awaitIdle(raid).mismatches()).as("after repair").isZero();
            dm.remove(raid);
            assertThat(read(node(leg0), 0, MIB)).as("repair made the legs equal").isEqualTo(read(node(leg1), 0, MIB));
        }
    }

    private RaidStatus awaitIdle(String raid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            RaidStatus s = status(raid, RaidStatus.class);
            if (s.syncAction() == RaidStatus.SyncAction.IDLE) {
                return s;
            }
            assertThat(System.nanoTime()).as("%s still %s", raid, s.syncAction()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void writecacheFlushWritesEverythingBack() throws Exception {
        try (LoopDevice slow = LoopDevice.create(dir, 32L * MIB); LoopDevice fast = LoopDevice.create(dir, 8L * MIB)) {
            String wc = device("wc", new TargetLine(0, slow.sectors(), "writecache",
                    "s " + slow.number() + " " + fast.number() + " 4096 0"));
            WritecacheStatus fresh = status(wc, WritecacheStatus.class);
            assertThat(fresh.failed()).isFalse();
            assertThat(fresh.freeBlocks()).isEqualTo(fresh.totalBlocks());
            byte[] a = pattern(2 * MIB, 6);
            write(node(wc), 4 * MIB, a);
            WritecacheStatus cached = status(wc, WritecacheStatus.class);
            assertThat(cached.freeBlocks()).as("2 MiB in 4 KiB blocks").isEqualTo(fresh.totalBlocks() - 512);
            assertThat(cached.statistics().orElseThrow().writes()).isEqualTo(512);

            assertThat(WritecacheMessage.FLUSH.send(dm, wc)).isEmpty();
            WritecacheStatus flushed = status(wc, WritecacheStatus.class);
            assertThat(flushed.freeBlocks()).isEqualTo(flushed.totalBlocks());
            assertThat(flushed.writebackBlocks()).isZero();
            assertThat(read(node(slow), 4 * MIB, 2 * MIB)).as("written back to the origin").isEqualTo(a);
            assertThat(read(node(wc), 4 * MIB, 2 * MIB)).isEqualTo(a);

            WritecacheMessage.CLEAR_STATS.send(dm, wc);
            assertThat(status(wc, WritecacheStatus.class).statistics().orElseThrow().writes()).isZero();
            WritecacheMessage.FLUSH_ON_SUSPEND.send(dm, wc);
            WritecacheMessage.CLEANER.send(dm, wc);
            dm.remove(wc);
        }
    }

    @Test
    void multipathFailsAndReinstatesAPathWhileDataStillFlows() throws Exception {
        try (LoopDevice first = LoopDevice.create(dir, 8L * MIB)) {
            // Two paths to the same storage: a second loop device over the first one's file.
            Path file = Path.of(Files.readString(Path.of("/sys/block", node(first).getFileName().toString(),
                    "loop/backing_file")).strip());
            String second = Commands.check("losetup", "--find", "--show", file.toString()).strip();
            try {
                DeviceNumber secondNumber = loopNumber(second);
                String mp = device("mpath", new TargetLine(0, first.sectors(), "multipath",
                        "0 0 1 1 round-robin 0 2 1 " + first.number() + " 1000 " + secondNumber + " 1000"));
                byte[] a = pattern(MIB, 7);
                write(node(mp), 0, a);
                MultipathStatus both = status(mp, MultipathStatus.class);
                assertThat(both.activePaths()).isEqualTo(2);

                MultipathMessage.failPath(secondNumber).send(dm, mp);
                MultipathStatus failed = status(mp, MultipathStatus.class);
                assertThat(failed.activePaths()).isEqualTo(1);
                MultipathStatus.Path down = failed.groups().get(0).paths().get(1);
                assertThat(down.device()).isEqualTo(secondNumber.toString());
                assertThat(down.active()).isFalse();
                assertThat(down.failCount()).isEqualTo(1);
                assertThat(read(node(mp), 0, MIB)).as("through the path left").isEqualTo(a);

                MultipathMessage.reinstatePath(secondNumber).send(dm, mp);
                assertThat(status(mp, MultipathStatus.class).activePaths()).isEqualTo(2);

                MultipathMessage.queueIfNoPath().send(dm, mp);
                assertThat(dm.table(mp).get(0).params()).startsWith("1 queue_if_no_path ");
                MultipathMessage.failIfNoPath().send(dm, mp);
                assertThat(dm.table(mp).get(0).params()).startsWith("0 ");
                assertThatThrownBy(() -> MultipathMessage.switchGroup(2).send(dm, mp))
                        .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
                dm.remove(mp);
            } finally {
                Commands.check("losetup", "--detach", second);
            }
        }
    }

    private static DeviceNumber loopNumber(String path) throws IOException {
        String[] mm = Files.readString(Path.of("/sys/class/block", Path.of(path).getFileName().toString(), "dev"))
                .strip().split(":");
        return new DeviceNumber(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
    }

    @Test
    void snapshotCopiesOnWriteAndTheOriginReportsNothing() throws Exception {
        try (LoopDevice origin = LoopDevice.create(dir, 16L * MIB); LoopDevice cow = LoopDevice.create(dir, 8L * MIB)) {
            byte[] before = pattern(MIB, 8);
            write(node(origin), 0, before);
            String real = device("origin", new TargetLine(0, origin.sectors(), "snapshot-origin",
                    origin.number().toString()));
            String snap = device("snapshot", new TargetLine(0, origin.sectors(), "snapshot",
                    origin.number() + " " + cow.number() + " P 16"));
            // The origin learns its snapshots' chunk size when it resumes: without this, a write
            // spanning chunks copies out only its first chunk (origin_resume() in dm-snap.c).
            dm.suspend(real);
            dm.resume(real);
            assertThat(status(real)).isEqualTo(new EmptyStatus("snapshot-origin"));
            SnapshotStatus.Working fresh = status(snap, SnapshotStatus.Working.class);
            assertThat(fresh.totalSectors()).isEqualTo(cow.sectors());
            assertThat(fresh.allocatedSectors()).isEqualTo(fresh.metadataSectors());

            byte[] after = pattern(MIB, 9);
            write(node(real), 0, after);
            SnapshotStatus.Working copied = status(snap, SnapshotStatus.Working.class);
            assertThat(copied.allocatedSectors() - fresh.allocatedSectors())
                    .as("1 MiB of chunks copied out").isEqualTo(2048);
            assertThat(read(node(snap), 0, MIB)).as("the snapshot keeps the old data").isEqualTo(before);
            assertThat(read(node(real), 0, MIB)).isEqualTo(after);
            dm.remove(snap);
            dm.remove(real);
        }
    }

    @Test
    void cacheCountsIoAndTakesAMigrationThreshold() throws Exception {
        try (LoopDevice meta = LoopDevice.create(dir, 8L * MIB); LoopDevice fast = LoopDevice.create(dir, 16L * MIB);
                LoopDevice slow = LoopDevice.create(dir, 64L * MIB)) {
            String cache = device("cache", new TargetLine(0, slow.sectors(), "cache", meta.number() + " "
                    + fast.number() + " " + slow.number() + " 128 1 writethrough smq 0"));
            CacheStatus.Working fresh = status(cache, CacheStatus.Working.class);
            assertThat(fresh.ioMode()).isEqualTo(CacheStatus.IoMode.WRITETHROUGH);
            assertThat(fresh.totalCacheBlocks()).isEqualTo(256);
            assertThat(fresh.policy()).isEqualTo("smq");
            byte[] a = pattern(4 * MIB, 10);
            write(node(cache), 8 * MIB, a);
            for (int i = 0; i < 3; i++) {
                assertThat(read(node(cache), 8 * MIB, 4 * MIB)).isEqualTo(a);
            }
            CacheStatus.Counters counters = status(cache, CacheStatus.Working.class).counters();
            assertThat(counters.writeHits() + counters.writeMisses()).as("4 MiB of writes, in cache blocks")
                    .isGreaterThanOrEqualTo(64);
            assertThat(counters.readHits() + counters.readMisses()).isPositive();
            assertThat(read(node(slow), 8 * MIB, 4 * MIB)).as("writethrough reached the origin").isEqualTo(a);

            CacheMessage.migrationThreshold(4096).send(dm, cache);
            assertThat(status(cache, CacheStatus.Working.class).migrationThresholdSectors()).hasValue(4096);
            dm.remove(cache);
        }
    }

    @Test
    void eraCheckpointsAndMetadataSnapshots() throws Exception {
        try (LoopDevice meta = LoopDevice.create(dir, 8L * MIB); LoopDevice origin = LoopDevice.create(dir, 32L * MIB)) {
            String era = device("era", new TargetLine(0, origin.sectors(), "era",
                    meta.number() + " " + origin.number() + " 128"));
            EraStatus.Working fresh = status(era, EraStatus.Working.class);
            assertThat(fresh.heldMetadataRoot()).isEmpty();
            byte[] a = pattern(MIB, 11);
            write(node(era), 0, a);
            assertThat(read(node(origin), 0, MIB)).isEqualTo(a);
            EraMessage.CHECKPOINT.send(dm, era);
            assertThat(status(era, EraStatus.Working.class).currentEra()).isEqualTo(fresh.currentEra() + 1);
            EraMessage.TAKE_METADATA_SNAP.send(dm, era);
            assertThat(status(era, EraStatus.Working.class).heldMetadataRoot()).isPresent();
            EraMessage.DROP_METADATA_SNAP.send(dm, era);
            assertThat(status(era, EraStatus.Working.class).heldMetadataRoot()).isEmpty();
            dm.remove(era);
        }
    }

    @Test
    void integrityFormatsItselfAndReportsNoMismatchForWrittenData() throws Exception {
        try (LoopDevice disk = LoopDevice.create(dir, 32L * MIB)) {
            String params = disk.number() + " 0 - J 1 internal_hash:crc32c";
            // A zeroed device is formatted by its first table; its status then says how much it offers.
            String probe = device("integrity-probe", new TargetLine(0, 8, "integrity", params));
            long provided = status(probe, IntegrityStatus.class).providedDataSectors();
            dm.remove(probe);
            assertThat(provided).isPositive().isLessThan(disk.sectors());

            String integrity = device("integrity", new TargetLine(0, provided, "integrity", params));
            byte[] a = pattern(MIB, 12);
            write(node(integrity), 0, a);
            assertThat(read(node(integrity), 0, MIB)).isEqualTo(a);
            assertThat(status(integrity)).isEqualTo(new IntegrityStatus(0, provided, OptionalLong.empty()));
            dm.remove(integrity);
        }
    }

    @Test
    void verityReportsValidThenCorruption() throws Exception {
        try (LoopDevice data = LoopDevice.create(dir, 8L * MIB); LoopDevice hash = LoopDevice.create(dir, MIB)) {
            write(node(data), 0, pattern(8 * MIB, 13));
            String format = Commands.check("veritysetup", "format", data.path(), hash.path());
            String root = field(format, "Root hash:");
            String salt = field(format, "Salt:");
            TargetLine table = new TargetLine(0, data.sectors(), "verity", "1 " + data.number() + " "
                    + hash.number() + " 4096 4096 2048 1 sha256 " + root + " " + salt);
            String name = RealKernel.name("st-verity");
            dm.create(name);
            dm.load(name, List.of(table), LoadOption.READ_ONLY);
            dm.resume(name);
            assertThat(read(node(name), 0, 8 * MIB)).isEqualTo(pattern(8 * MIB, 13));
            assertThat(status(name)).isEqualTo(new VerityStatus(false, OptionalLong.empty()));
            dm.remove(name);

            byte[] bad = new byte[4096];
            Arrays.fill(bad, (byte) 'z');
            write(node(data), 4096, bad);
            dm.create(name);
            dm.load(name, List.of(table), LoadOption.READ_ONLY);
            dm.resume(name);
            assertThatThrownBy(() -> read(node(name), 4096, 4096)).isInstanceOf(IOException.class);
            assertThat(status(name)).isEqualTo(new VerityStatus(true, OptionalLong.empty()));
            dm.remove(name);
        }
    }

    private static String field(String output, String label) {
        return output.lines().filter(l -> l.startsWith(label)).map(l -> l.substring(label.length()).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + label + "' in " + output));
    }

    @Test
    void delayReportsTheReadItHoldsAndFlakeyAndLinearReportNothing() throws Exception {
        try (LoopDevice disk = LoopDevice.create(dir, 16L * MIB)) {
            String delay = device("delay", new TargetLine(0, disk.sectors(), "delay",
                    disk.number() + " 0 2000 " + disk.number() + " 0 0"));
            assertThat(status(delay)).isEqualTo(new DelayStatus(0, 0, 0));
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return read(node(delay), 0, 4096);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            DelayStatus held = status(delay, DelayStatus.class);
            while (held.delayedReads() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                held = status(delay, DelayStatus.class);
            }
            assertThat(held).as("the read, held back for 2 s").isEqualTo(new DelayStatus(1, 0, 0));
            assertThat(reader.get(10, TimeUnit.SECONDS)).hasSize(4096);
            assertThat(status(delay)).isEqualTo(new DelayStatus(0, 0, 0));
            dm.remove(delay);

            String flakey = device("flakey", new TargetLine(0, disk.sectors(), "flakey", disk.number() + " 0 5 0"));
            assertThat(status(flakey)).as("flakey reports nothing on 6.1").isEqualTo(new EmptyStatus("flakey"));
            dm.remove(flakey);

            String linear = device("linear", new TargetLine(0, 2048, "linear", disk.number() + " 0"),
                    new TargetLine(2048, 2048, "linear", disk.number() + " 2048"));
            List<StatusReport> both = StatusReport.parseAll(dm.status(linear));
            assertThat(both).containsExactly(new EmptyStatus("linear"), new EmptyStatus("linear"));
            dm.remove(linear);
        }
    }

    @Test
    void deviceStatisticsCountTheIoOfEachArea() throws Exception {
        try (LoopDevice disk = LoopDevice.create(dir, 16L * MIB)) {
            String linear = device("stats", new TargetLine(0, disk.sectors(), "linear", disk.number() + " 0"));
            DeviceStats stats = DeviceStats.of(dm, linear);
            int whole = stats.createRegionOverDevice(4);
            int part = stats.createRegion(2048, 4096, 1024);
            assertThat(stats.regions()).containsExactly(
                    new DeviceStats.Region(whole, 0, disk.sectors(), disk.sectors() / 4, "-", "-"),
                    new DeviceStats.Region(part, 2048, 4096, 1024, "-", "-"));

            write(node(linear), 0, pattern(MIB, 14));
            read(node(linear), 0, 2 * MIB);
            List<DeviceStats.Area> areas = stats.print(whole);
            assertThat(areas).hasSize(4);
            assertThat(areas.get(0).sectorsWritten()).isEqualTo(2048);
            assertThat(areas.get(0).sectorsRead()).isEqualTo(4096);
            assertThat(areas.subList(1, 4)).allSatisfy(a -> assertThat(a.sectorsRead() + a.sectorsWritten()).isZero());
            List<DeviceStats.Area> second = stats.print(part);
            assertThat(second).extracting(DeviceStats.Area::sectorsWritten).containsOnly(0L);
            assertThat(second).extracting(DeviceStats.Area::sectorsRead).containsExactly(1024L, 1024L, 0L, 0L);

            stats.clear(whole);
            assertThat(stats.print(whole)).allSatisfy(a -> assertThat(a.sectorsRead() + a.sectorsWritten()).isZero());
            stats.delete(whole);
            stats.delete(part);
            assertThat(stats.regions()).isEmpty();
            assertThatThrownBy(() -> stats.delete(whole))
                    .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue());
            dm.remove(linear);
        }
    }

    @Test
    void aMessageToADeviceWithoutALiveTableIsRejectedBeforeItIsSent() throws Exception {
        String empty = RealKernel.name("st-empty");
        dm.create(empty);
        assertThatThrownBy(() -> WritecacheMessage.FLUSH.send(dm, empty))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no live table");
        dm.remove(empty);
    }
}
