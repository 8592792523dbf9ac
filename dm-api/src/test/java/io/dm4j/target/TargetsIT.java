package io.dm4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidTableException;
import io.dm4j.LoadOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetStatus;
import io.dm4j.testing.BlockIo;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every typed target on the real kernel: each is created over loop devices, moves data where it
 * carries data, and reads back, typed, as exactly the text {@code dmsetup table} prints.
 */
@ExtendWith(RealKernel.class)
class TargetsIT {
    private static final long LOOP_BYTES = 32L << 20;
    private static final int BLOCK = BlockIo.ALIGN;

    @TempDir
    static Path dir;

    static LoopDevice a;
    static LoopDevice b;
    static LoopDevice c;
    static LoopDevice d;
    static DeviceMapper dm;

    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        a = LoopDevice.create(dir, LOOP_BYTES);
        b = LoopDevice.create(dir, LOOP_BYTES);
        c = LoopDevice.create(dir, LOOP_BYTES);
        d = LoopDevice.create(dir, LOOP_BYTES);
        dm = DeviceMapper.open();
    }

    @AfterAll
    static void tearDown() throws IOException {
        dm.close();
        for (LoopDevice l : new LoopDevice[] {a, b, c, d}) {
            l.close();
        }
    }

    /** Devices a failed test left are removed, newest first. */
    @AfterEach
    void removeLeftovers() throws IOException {
        Collections.reverse(created);
        for (String name : created) {
            if (dm.list(name, "").stream().anyMatch(e -> e.name().equals(name))) {
                dm.remove(name);
            }
        }
    }

    private static Path loop(LoopDevice l) {
        return Path.of(l.path());
    }

    private static Path node(String name) {
        return Path.of("/dev/mapper", name);
    }

    /** Creates a device with the table and makes it live. */
    private String create(String suffix, Table table, LoadOption... options) throws IOException {
        String name = RealKernel.name("t-" + suffix);
        dm.create(name);
        created.add(name);
        dm.load(name, table, options);
        dm.resume(name);
        return name;
    }

    private void remove(String name) throws IOException {
        dm.remove(name);
        created.remove(name);
    }

    /**
     * dm4j reads the live table back as typed targets whose text is exactly what
     * {@code dmsetup table} prints; with {@code unchanged}, that is also the table as loaded.
     */
    private static Table assertReadsBack(String name, Table loaded, boolean unchanged) throws IOException {
        String kernel = Commands.check("dmsetup", "table", name);
        Table back = dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.HIDDEN);
        assertThat(back.format()).as("dm4j's text of %s", name).isEqualTo(kernel);
        assertThat(back.entries()).allSatisfy(e -> assertThat(e.target()).isNotInstanceOf(RawTarget.class));
        if (unchanged) {
            assertThat(loaded.format()).as("the table as loaded").isEqualTo(kernel);
        }
        return back;
    }

    private static void assertDataThrough(String name, long offset, long seed) throws IOException {
        byte[] data = BlockIo.pattern(seed, 4 * BLOCK);
        BlockIo.write(node(name), offset, data);
        assertThat(BlockIo.read(node(name), offset, data.length)).isEqualTo(data);
    }

    private static List<String> statusWords(String name) throws IOException {
        List<TargetStatus> s = dm.status(name);
        return List.of(s.get(0).status().strip().split("\\s+"));
    }

    private static void await(String name, Predicate<List<String>> done) throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!done.test(statusWords(name))) {
            assertThat(System.nanoTime()).as("status of %s: %s", name, statusWords(name)).isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void linearStripedZeroAndErrorInOneTable() throws IOException {
        assertThat(DeviceNumber.ofBlockDevice(loop(a))).isEqualTo(a.number());
        Table table = Table.builder()
                .append(Sectors.of(2048), new LinearTarget(a.number(), Sectors.of(4096)))
                .append(Sectors.of(4096), new StripedTarget(Sectors.of(8),
                        List.of(new DeviceOffset(a.number(), Sectors.of(8192)), new DeviceOffset(b.number(), Sectors.ZERO))))
                .append(Sectors.of(1024), new ZeroTarget())
                .append(Sectors.of(8), new ErrorTarget())
                .build();
        String name = create("multi", table);
        assertReadsBack(name, table, true);

        byte[] linear = BlockIo.pattern(1, 2 * BLOCK);
        BlockIo.write(node(name), 0, linear);
        assertThat(BlockIo.read(loop(a), 4096L * 512, linear.length)).isEqualTo(linear);
        // Striped over 8-sector chunks: the first 4 KiB go to a, the next to b.
        byte[] striped = BlockIo.pattern(2, 2 * BLOCK);
        BlockIo.write(node(name), 2048L * 512, striped);
        assertThat(BlockIo.read(loop(a), 8192L * 512, BLOCK)).isEqualTo(java.util.Arrays.copyOf(striped, BLOCK));
        assertThat(BlockIo.read(loop(b), 0, BLOCK)).isEqualTo(java.util.Arrays.copyOfRange(striped, BLOCK, 2 * BLOCK));
        BlockIo.write(node(name), 6144L * 512, BlockIo.pattern(3, BLOCK));
        assertThat(BlockIo.read(node(name), 6144L * 512, BLOCK)).containsOnly(0);
        assertThatThrownBy(() -> BlockIo.read(node(name), 7168L * 512, BLOCK)).isInstanceOf(IOException.class);
        remove(name);

        // The other way round: dmsetup loads dm4j's text, dm4j reads the same typed table.
        String bySetup = RealKernel.name("t-bysetup");
        Commands.check("dmsetup", "create", bySetup, "--table", table.format());
        try {
            assertThat(dm.typedTable(bySetup, TableSlot.LIVE, KeyDisclosure.HIDDEN)).isEqualTo(table);
        } finally {
            Commands.check("dmsetup", "remove", bySetup);
        }
    }

    @Test
    void delayAndFlakeyPassDataWhileUp() throws IOException {
        Table delay = Table.builder().append(Sectors.of(4096), new DelayTarget(a.number(), Sectors.of(2048), 0)).build();
        String name = create("delay", delay);
        assertReadsBack(name, delay, true);
        assertDataThrough(name, 0, 10);
        assertThat(BlockIo.read(loop(a), 2048L * 512, 4 * BLOCK)).isEqualTo(BlockIo.pattern(10, 4 * BLOCK));
        DelayTarget.Route write = new DelayTarget.Route(b.number(), Sectors.ZERO, 1);
        Table threeWay = Table.builder().append(Sectors.of(4096), new DelayTarget(new DelayTarget.Route(a.number(),
                Sectors.of(2048), 0), Optional.of(write), Optional.of(new DelayTarget.Route(c.number(), Sectors.ZERO, 2))))
                .build();
        dm.load(name, threeWay);
        dm.resume(name);
        assertReadsBack(name, threeWay, true);
        remove(name);

        Table flakey = Table.builder().append(Sectors.of(4096), new FlakeyTarget(a.number(), Sectors.ZERO, 3600, 1)).build();
        name = create("flakey", flakey);
        assertReadsBack(name, flakey, true);
        assertDataThrough(name, 0, 11);
        Table features = Table.builder().append(Sectors.of(4096), new FlakeyTarget(a.number(), Sectors.ZERO, 3600, 1,
                FlakeyTarget.Writes.DROP, Optional.of(new FlakeyTarget.CorruptBioByte(32, false, 1, 0)))).build();
        dm.load(name, features);
        dm.resume(name);
        assertReadsBack(name, features, true);
        assertDataThrough(name, 0, 12);
        remove(name);
    }

    @Test
    void snapshotDivergesAndMergesBackIntoTheOrigin() throws IOException {
        byte[] before = BlockIo.pattern(20, BLOCK);
        byte[] after = BlockIo.pattern(21, BLOCK);
        BlockIo.write(loop(a), 0, before);
        BlockIo.zero(loop(b), 1 << 20);
        Sectors size = Sectors.of(8192);
        Table originTable = Table.builder().append(size, new SnapshotOriginTarget(a.number())).build();
        String origin = create("origin", originTable);
        SnapshotTarget snap = new SnapshotTarget(a.number(), b.number(), Sectors.of(8));
        Table snapTable = Table.builder().append(size, snap).build();
        String snapshot = create("snap", snapTable);
        assertReadsBack(origin, originTable, true);
        assertReadsBack(snapshot, snapTable, true);

        BlockIo.write(node(snapshot), 0, after);
        assertThat(BlockIo.read(node(origin), 0, BLOCK)).isEqualTo(before);
        assertThat(BlockIo.read(node(snapshot), 0, BLOCK)).isEqualTo(after);

        // LVM's merge: the snapshot goes, the origin's table becomes snapshot-merge.
        dm.suspend(snapshot);
        dm.suspend(origin);
        remove(snapshot);
        Table mergeTable = Table.builder().append(size, snap.merging()).build();
        dm.load(origin, mergeTable);
        dm.resume(origin);
        assertReadsBack(origin, mergeTable, true);
        // Merged when the allocated sectors are down to the metadata sectors: "<allocated>/<total> <metadata>".
        await(origin, w -> w.get(0).substring(0, w.get(0).indexOf('/')).equals(w.get(1)));
        assertThat(BlockIo.read(node(origin), 0, BLOCK)).isEqualTo(after);
        remove(origin);
        assertThat(BlockIo.read(loop(a), 0, BLOCK)).isEqualTo(after);
    }

    @Test
    void thinVolumeAndItsSnapshotDiverge() throws IOException {
        BlockIo.zero(loop(c), 1 << 20);
        Table poolTable = Table.builder().append(Sectors.ofBytes(LOOP_BYTES), new ThinPoolTarget(c.number(), d.number(),
                Sectors.of(128), 16, Set.of(ThinPoolTarget.Feature.ERROR_IF_NO_SPACE))).build();
        String pool = create("pool", poolTable);
        assertReadsBack(pool, poolTable, true);
        DeviceNumber poolDev = dm.info(pool).device();
        dm.message(pool, 0, "create_thin 0");
        Table thinTable = Table.builder().append(Sectors.of(16384), new ThinTarget(poolDev, 0)).build();
        String thin = create("thin0", thinTable);
        assertReadsBack(thin, thinTable, true);
        byte[] first = BlockIo.pattern(30, BLOCK);
        BlockIo.write(node(thin), 0, first);

        dm.suspend(thin);
        dm.message(pool, 0, "create_snap 1 0");
        dm.resume(thin);
        Table snapTable = Table.builder().append(Sectors.of(16384), new ThinTarget(poolDev, 1)).build();
        String snap = create("thin1", snapTable);
        assertReadsBack(snap, snapTable, true);
        byte[] second = BlockIo.pattern(31, BLOCK);
        BlockIo.write(node(snap), 0, second);
        byte[] later = BlockIo.pattern(32, BLOCK);
        BlockIo.write(node(thin), 64L * BLOCK, later);
        assertThat(BlockIo.read(node(thin), 0, BLOCK)).isEqualTo(first);
        assertThat(BlockIo.read(node(snap), 0, BLOCK)).isEqualTo(second);
        assertThat(BlockIo.read(node(thin), 64L * BLOCK, BLOCK)).isEqualTo(later);
        assertThat(BlockIo.read(node(snap), 64L * BLOCK, BLOCK)).containsOnly(0);

        remove(snap);
        remove(thin);
        dm.message(pool, 0, "delete 1");
        dm.message(pool, 0, "delete 0");
        remove(pool);
    }

    @Test
    void cacheWritesBackAndSwitchesToTheCleanerByReload() throws IOException {
        BlockIo.zero(loop(c), 1 << 20);
        Table table = Table.builder().append(Sectors.ofBytes(LOOP_BYTES), new CacheTarget(c.number(), b.number(),
                a.number(), Sectors.of(64), List.of(CacheTarget.Feature.METADATA2, CacheTarget.Feature.WRITEBACK),
                CacheTarget.SMQ, List.of("migration_threshold", "4096"))).build();
        String name = create("cache", table);
        assertReadsBack(name, table, true);
        byte[] data = BlockIo.pattern(40, 16 * BLOCK);
        for (int i = 0; i < 4; i++) { // repeated writes make smq promote the blocks into the cache
            BlockIo.write(node(name), 0, data);
        }
        assertThat(BlockIo.read(node(name), 0, data.length)).isEqualTo(data);

        CacheTarget.switchToCleaner(dm, name);
        Table cleaner = assertReadsBack(name, table.map(t -> ((CacheTarget) t).withCleanerPolicy()), true);
        assertThat(((CacheTarget) cleaner.entries().get(0).target()).policy()).isEqualTo("cleaner");
        // Status word 10 is the number of dirty blocks; the policy name follows the core arguments.
        await(name, w -> w.get(10).equals("0"));
        assertThat(statusWords(name)).contains("cleaner");
        remove(name);
        assertThat(BlockIo.read(loop(a), 0, data.length)).isEqualTo(data);
    }

    @Test
    void writecacheCachesAndCleansToTheOrigin() throws IOException {
        BlockIo.zero(loop(b), 1 << 20);
        WritecacheTarget wc = new WritecacheTarget(WritecacheTarget.Mode.SSD, a.number(), b.number(),
                Sectors.ofBytes(4096), List.of(TargetOption.of(WritecacheTarget.Option.HIGH_WATERMARK, 60),
                        TargetOption.of(WritecacheTarget.Option.LOW_WATERMARK, 40)));
        Table table = Table.builder().append(Sectors.ofBytes(LOOP_BYTES), wc).build();
        String name = create("writecache", table);
        assertReadsBack(name, table, true);
        byte[] data = BlockIo.pattern(50, 8 * BLOCK);
        BlockIo.write(node(name), 0, data);
        assertThat(BlockIo.read(node(name), 0, data.length)).isEqualTo(data);
        assertThat(dm.message(name, 0, "flush")).isEmpty();

        List<TargetOption> cleaning = new ArrayList<>(wc.options());
        cleaning.add(TargetOption.flag(WritecacheTarget.Option.CLEANER));
        Table cleanerTable = Table.builder().append(Sectors.ofBytes(LOOP_BYTES), wc.withOptions(cleaning)).build();
        dm.load(name, cleanerTable);
        dm.suspend(name);
        dm.resume(name);
        assertReadsBack(name, cleanerTable, true);
        // Status: error, cache blocks, free blocks, blocks under writeback...: clean when all are free.
        await(name, w -> w.get(1).equals(w.get(2)));
        remove(name);
        assertThat(BlockIo.read(loop(a), 0, data.length)).isEqualTo(data);
    }

    @Test
    void eraAndLogWritesPassData() throws IOException {
        BlockIo.zero(loop(c), 1 << 20);
        Table era = Table.builder().append(Sectors.ofBytes(LOOP_BYTES), new EraTarget(c.number(), a.number(),
                Sectors.of(128))).build();
        String name = create("era", era);
        assertReadsBack(name, era, true);
        assertDataThrough(name, 0, 60);
        remove(name);

        BlockIo.zero(loop(b), 1 << 20);
        Table logWrites = Table.builder().append(Sectors.of(8192), new LogWritesTarget(a.number(), b.number())).build();
        name = create("log-writes", logWrites);
        assertReadsBack(name, logWrites, true);
        assertDataThrough(name, BLOCK, 61);
        remove(name);
        assertThat(BlockIo.read(loop(a), BLOCK, 4 * BLOCK)).isEqualTo(BlockIo.pattern(61, 4 * BLOCK));
        assertThat(BlockIo.read(loop(b), 0, 64 * BLOCK)).as("the write log").isNotEqualTo(new byte[64 * BLOCK]);
    }

    @Test
    void verityChecksDataAgainstAHashTreeFromVeritysetup() throws IOException {
        byte[] data = BlockIo.pattern(70, 256 * BLOCK);
        BlockIo.write(loop(a), 0, data);
        BlockIo.zero(loop(b), 1 << 20);
        String salt = "5a17".repeat(16);
        String format = Commands.check("veritysetup", "format", "--data-blocks=256", "--salt=" + salt, a.path(), b.path());
        String root = format.lines().filter(l -> l.startsWith("Root hash:")).findFirst().orElseThrow()
                .substring("Root hash:".length()).strip();
        VerityTarget verity = new VerityTarget(1, a.number(), b.number(), Sectors.ofBytes(4096), Sectors.ofBytes(4096),
                256, 1, "sha256", root, Optional.of(salt), List.of(TargetOption.flag(VerityTarget.Option.CHECK_AT_MOST_ONCE)));
        Table table = Table.builder().append(Sectors.of(2048), verity).build();
        String name = RealKernel.name("t-verity");
        dm.create(name);
        created.add(name);
        assertThatThrownBy(() -> dm.load(name, table)).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("READ_ONLY");
        dm.load(name, table, LoadOption.READ_ONLY);
        dm.resume(name);
        assertReadsBack(name, table, true);
        assertThat(BlockIo.read(node(name), 0, data.length)).isEqualTo(data);
        assertThat(Commands.run("veritysetup", "verify", a.path(), b.path(), root).exitCode()).isZero();
        remove(name);

        // A flipped byte no longer verifies.
        byte[] corrupt = data.clone();
        corrupt[5 * BLOCK] ^= 1;
        BlockIo.write(loop(a), 0, corrupt);
        String again = create("verity2", table, LoadOption.READ_ONLY);
        assertThatThrownBy(() -> BlockIo.read(node(again), 4L * BLOCK, 2 * BLOCK)).isInstanceOf(IOException.class);
        assertThat(BlockIo.read(node(again), 0, BLOCK)).isEqualTo(java.util.Arrays.copyOf(data, BLOCK));
        remove(again);
    }

    @Test
    void integrityFormatsOnFirstLoadAndKeepsData() throws IOException {
        BlockIo.zero(loop(a), 4 << 20);
        IntegrityTarget integrity = new IntegrityTarget(a.number(), Sectors.ZERO, 4, IntegrityTarget.Mode.JOURNAL,
                List.of(TargetOption.of(IntegrityTarget.Option.INTERNAL_HASH, "crc32c"),
                        TargetOption.of(IntegrityTarget.Option.BUFFER_SECTORS, 64)));
        Table table = Table.builder().append(Sectors.of(8192), integrity).build();
        String name = create("integrity", table);
        // The kernel fills in its defaults (journal_sectors, interleave_sectors, watermark, commit time).
        Table back = assertReadsBack(name, table, false);
        IntegrityTarget read = (IntegrityTarget) back.entries().get(0).target();
        assertThat(read.options()).containsAll(integrity.options());
        assertThat(read.options().size()).isGreaterThan(integrity.options().size());
        assertDataThrough(name, 8 * BLOCK, 80);
        // The kernel's own form loads again unchanged.
        dm.load(name, back);
        dm.suspend(name);
        dm.resume(name);
        assertReadsBack(name, back, true);
        assertThat(BlockIo.read(node(name), 8 * BLOCK, 4 * BLOCK)).isEqualTo(BlockIo.pattern(80, 4 * BLOCK));
        remove(name);
    }

    @Test
    void mirrorAndRaid1WriteBothLegs() throws IOException {
        Table mirror = Table.builder().append(Sectors.of(2048), new MirrorTarget(MirrorTarget.Log.core(Sectors.of(1024)),
                List.of(new DeviceOffset(a.number(), Sectors.ZERO), new DeviceOffset(b.number(), Sectors.of(2048))),
                Set.of(MirrorTarget.Feature.HANDLE_ERRORS))).build();
        String name = create("mirror", mirror);
        assertReadsBack(name, mirror, true);
        await(name, w -> w.get(3).equals("2/2"));
        assertDataThrough(name, 0, 90);
        remove(name);
        assertThat(BlockIo.read(loop(a), 0, 4 * BLOCK)).isEqualTo(BlockIo.pattern(90, 4 * BLOCK));
        assertThat(BlockIo.read(loop(b), 2048L * 512, 4 * BLOCK)).isEqualTo(BlockIo.pattern(90, 4 * BLOCK));

        RaidTarget raid1 = new RaidTarget("raid1", Sectors.ZERO, List.of(TargetOption.of(RaidTarget.Option.REGION_SIZE, 1024)),
                List.of(RaidTarget.Leg.of(c.number()), RaidTarget.Leg.of(d.number())));
        Table raid = Table.builder().append(Sectors.of(2048), raid1).build();
        name = create("raid1", raid);
        assertReadsBack(name, raid, true);
        assertDataThrough(name, BLOCK, 91);
        remove(name);
        assertThat(BlockIo.read(loop(c), BLOCK, 4 * BLOCK)).isEqualTo(BlockIo.pattern(91, 4 * BLOCK));
        assertThat(BlockIo.read(loop(d), BLOCK, 4 * BLOCK)).isEqualTo(BlockIo.pattern(91, 4 * BLOCK));
    }

    private static RaidTarget.Leg missingLeg() {
        return new RaidTarget.Leg(Optional.empty(), Optional.empty());
    }

    /**
     * Writes through a full array, then builds it again with legs missing (as {@code -}) and
     * reads the data back: only the parity (or the copy) can have kept it. Health and sync come
     * from the status: {@code A} for a live leg, {@code -} for a missing one.
     */
    private void assertDataSurvivesMissingLegs(String suffix, RaidTarget full, RaidTarget degraded, String health,
            long seed) throws IOException {
        Table table = Table.builder().append(Sectors.of(8192), full).build();
        String name = create(suffix, table);
        assertReadsBack(name, table, true);
        await(name, w -> w.get(4).equals("idle") && w.get(3).split("/")[0].equals(w.get(3).split("/")[1]));
        byte[] data = BlockIo.pattern(seed, 1 << 20);
        BlockIo.write(node(name), 0, data);
        remove(name);

        Table without = Table.builder().append(Sectors.of(8192), degraded).build();
        name = create(suffix + "-degraded", without);
        assertReadsBack(name, without, true);
        assertThat(statusWords(name).get(2)).as("health of %s", name).isEqualTo(health);
        assertThat(BlockIo.read(node(name), 0, data.length)).isEqualTo(data);
        remove(name);
    }

    @Test
    void raid5AndRaid6KeepDataWithLegsMissing() throws IOException {
        for (LoopDevice l : new LoopDevice[] {a, b, c, d}) {
            BlockIo.zero(loop(l), 4 << 20); // nosync takes the legs as in sync: zeros are
        }
        // raid5 over three legs, two of data: 8192 sectors take 4096 of each leg.
        RaidTarget raid5 = new RaidTarget("raid5_ls", Sectors.of(64),
                List.of(TargetOption.flag(RaidTarget.Option.NOSYNC)), List.of(RaidTarget.Leg.of(a.number()), RaidTarget.Leg.of(b.number()), RaidTarget.Leg.of(c.number())));
        RaidTarget raid5WithoutB = new RaidTarget("raid5_ls", Sectors.of(64), raid5.options(),
                List.of(RaidTarget.Leg.of(a.number()), missingLeg(), RaidTarget.Leg.of(c.number())));
        assertDataSurvivesMissingLegs("raid5", raid5, raid5WithoutB, "A-A", 95);

        // raid6 over four legs (the kernel refuses nosync for it, so it syncs first), two missing.
        RaidTarget raid6 = new RaidTarget("raid6_zr", Sectors.of(64), List.of(), List.of(RaidTarget.Leg.of(a.number()),
                RaidTarget.Leg.of(b.number()), RaidTarget.Leg.of(c.number()), RaidTarget.Leg.of(d.number())));
        RaidTarget raid6WithoutBAndD = new RaidTarget("raid6_zr", Sectors.of(64), List.of(),
                List.of(RaidTarget.Leg.of(a.number()), missingLeg(), RaidTarget.Leg.of(c.number()), missingLeg()));
        assertDataSurvivesMissingLegs("raid6", raid6, raid6WithoutBAndD, "A-A-", 96);
    }

    /**
     * raid10 on 6.1 runs only with metadata devices: without them md rejects the layout dm-raid
     * gives it ("unsupported raid10 layout").
     */
    @Test
    void raid10WithMetadataDevicesKeepsDataWithACopyMissing() throws IOException {
        BlockIo.zero(loop(a), 1 << 20);
        BlockIo.zero(loop(c), 1 << 20);
        RaidTarget raid10 = new RaidTarget("raid10", Sectors.of(64),
                List.of(TargetOption.of(RaidTarget.Option.RAID10_COPIES, 2)), List.of(new RaidTarget.Leg(Optional.of(a.number()), Optional.of(b.number())),
                        new RaidTarget.Leg(Optional.of(c.number()), Optional.of(d.number()))));
        RaidTarget withoutSecond = new RaidTarget("raid10", Sectors.of(64), raid10.options(),
                List.of(raid10.devices().get(0), missingLeg()));
        assertDataSurvivesMissingLegs("raid10", raid10, withoutSecond, "A-", 97);
    }

    @Test
    void multipathTablesReadBackInTheKernelsForm() throws IOException {
        MultipathTarget mpath = new MultipathTarget(List.of(TargetOption.flag(MultipathTarget.Option.QUEUE_IF_NO_PATH)),
                Optional.empty(), 1, List.of(
                        MultipathTarget.PathGroup.of("round-robin", List.of(a.number(), b.number()), "1"),
                        MultipathTarget.PathGroup.of("service-time", List.of(c.number()), "1", "4")));
        Table table = Table.builder().append(Sectors.of(2048), mpath).build();
        String name = create("mpath", table);
        assertReadsBack(name, table, true);
        remove(name);

        // queue_mode bio makes the kernel add retain_attached_hw_handler; the record adds it too.
        MultipathTarget bio = new MultipathTarget(List.of(new TargetOption(MultipathTarget.Option.QUEUE_MODE, "bio")),
                Optional.empty(), 1, List.of(MultipathTarget.PathGroup.of("queue-length", List.of(a.number()), "1")));
        assertThat(bio.features()).hasSize(2);
        Table bioTable = Table.builder().append(Sectors.of(2048), bio).build();
        name = create("mpath-bio", bioTable);
        assertReadsBack(name, bioTable, true);
        assertDataThrough(name, 0, 100);
        remove(name);
    }

    @Test
    void rawTargetsPassThroughUnchanged() throws IOException {
        Table table = Table.builder().append(Sectors.of(1024), new RawTarget("unstriped", "2 128 1 " + a.number() + " 0"))
                .build();
        String name = create("raw", table);
        assertThat(Commands.check("dmsetup", "table", name)).isEqualTo(table.format());
        assertThat(dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.HIDDEN)).isEqualTo(table);
        remove(name);
    }
}
