package io.dm4j.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every status line recorded from a real kernel parses into its target's record, and the lines of
 * the states the capture script set up say what those states mean.
 */
class StatusFixturesTest {
    private static final String KERNEL = "6.1.0-56-amd64";

    private final List<Fixtures.Line> lines = Fixtures.all();

    private StatusReport report(String label) {
        return lines.stream().filter(l -> l.kernel().equals(KERNEL) && l.label().equals(label)).findFirst()
                .map(l -> StatusReport.parse(l.status()))
                .orElseThrow(() -> new AssertionError("no fixture line '" + label + "' for " + KERNEL));
    }

    private <T> T report(String label, Class<T> kind) {
        StatusReport r = report(label);
        assertThat(r).as(label).isInstanceOf(kind);
        return kind.cast(r);
    }

    @Test
    void everyRecordedLineParsesIntoItsTargetsRecord() {
        for (Fixtures.Line line : lines) {
            StatusReport r = StatusReport.parse(line.status());
            assertThat(r.type()).as(line.toString()).isEqualTo(line.status().type());
            assertThat(r).as(line + ": " + line.status()).isNotInstanceOf(UnknownStatus.class);
        }
    }

    @Test
    void theFixturesCoverEveryParsedTargetType() {
        Set<String> types = lines.stream().map(l -> l.status().type()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(types).contains("thin-pool", "thin", "snapshot", "snapshot-merge", "snapshot-origin", "cache",
                "writecache", "era", "raid", "mirror", "multipath", "integrity", "verity", "flakey", "delay",
                "striped", "log-writes", "linear", "zero", "error", "crypt");
    }

    @Test
    void thinPoolStates() {
        ThinPoolStatus.Working fresh = report("thin-pool.fresh", ThinPoolStatus.Working.class);
        assertThat(fresh.transactionId()).isZero();
        assertThat(fresh.usedDataBlocks()).isZero();
        assertThat(fresh.totalDataBlocks()).isEqualTo(1024); // 64 MiB of 64 KiB blocks
        assertThat(fresh.totalMetadataBlocks()).isEqualTo(2048); // 8 MiB of 4 KiB blocks
        assertThat(fresh.heldMetadataRoot()).isEmpty();
        assertThat(fresh.mode()).isEqualTo(ThinPoolStatus.Mode.READ_WRITE);
        assertThat(fresh.discards()).isEqualTo(ThinPoolStatus.Discards.PASSDOWN);
        assertThat(fresh.noSpace()).isEqualTo(ThinPoolStatus.NoSpace.QUEUE);
        assertThat(fresh.needsCheck()).isFalse();
        assertThat(fresh.metadataLowWaterBlocks()).isPresent();

        ThinPoolStatus.Working written = report("thin-pool.after-writes", ThinPoolStatus.Working.class);
        assertThat(written.usedDataBlocks()).isEqualTo(64); // 4 MiB written
        assertThat(report("thin-pool.transaction-7", ThinPoolStatus.Working.class).transactionId()).isEqualTo(7);
        assertThat(report("thin-pool.held-root", ThinPoolStatus.Working.class).heldMetadataRoot()).isPresent();
        assertThat(report("thin-pool.with-snapshot", ThinPoolStatus.Working.class).usedDataBlocks())
                .as("the snapshot's own block").isEqualTo(written.usedDataBlocks() + 16);
        assertThat(report("thin-pool.no_discard_passdown", ThinPoolStatus.Working.class).discards())
                .isEqualTo(ThinPoolStatus.Discards.NO_PASSDOWN);
        assertThat(report("thin-pool.ignore_discard", ThinPoolStatus.Working.class).discards())
                .isEqualTo(ThinPoolStatus.Discards.IGNORE);
        assertThat(report("thin-pool.read_only", ThinPoolStatus.Working.class).mode())
                .isEqualTo(ThinPoolStatus.Mode.READ_ONLY);

        ThinPoolStatus.Working full = report("thin-pool.out_of_data_space", ThinPoolStatus.Working.class);
        assertThat(full.mode()).isEqualTo(ThinPoolStatus.Mode.OUT_OF_DATA_SPACE);
        assertThat(full.usedDataBlocks()).isEqualTo(full.totalDataBlocks());
        assertThat(full.noSpace()).isEqualTo(ThinPoolStatus.NoSpace.ERROR);

        assertThat(report("thin-pool.metadata-failed")).isEqualTo(new TargetFailure("thin-pool", TargetFailure.Kind.FAIL));
    }

    @Test
    void thinStates() {
        assertThat(report("thin.fresh")).isEqualTo(new ThinStatus.Working(0, OptionalLong.empty()));
        ThinStatus.Working written = report("thin.after-writes", ThinStatus.Working.class);
        // 3 MiB at 0 and 1 MiB at 40 MiB, in 64 KiB blocks: 4 MiB mapped, the last sector of 41 MiB.
        assertThat(written.mappedSectors()).isEqualTo(8192);
        assertThat(written.highestMappedSector()).hasValue((41L << 11) - 1);
        assertThat(report("thin.snapshot-fresh")).as("a snapshot shares its origin's blocks").isEqualTo(written);
        assertThat(report("thin.metadata-failed")).isEqualTo(new TargetFailure("thin", TargetFailure.Kind.FAIL));
        ThinStatus.Working full = report("thin.pool-out-of-data-space", ThinStatus.Working.class);
        assertThat(full.mappedSectors()).as("all 16 MiB of the pool").isEqualTo(16L << 11);
    }

    @Test
    void snapshotStates() {
        SnapshotStatus.Working fresh = report("snapshot.fresh", SnapshotStatus.Working.class);
        assertThat(fresh.totalSectors()).isEqualTo(8L << 11);
        assertThat(fresh.allocatedSectors()).isEqualTo(fresh.metadataSectors());
        SnapshotStatus.Working written = report("snapshot.after-origin-writes", SnapshotStatus.Working.class);
        assertThat(written.allocatedSectors() - written.metadataSectors()).as("2 MiB copied out").isEqualTo(2L << 11);
        assertThat(report("snapshot.invalid")).isEqualTo(new TargetFailure("snapshot", TargetFailure.Kind.INVALID));
        assertThat(report("snapshot.overflow")).isEqualTo(new TargetFailure("snapshot", TargetFailure.Kind.OVERFLOW));
        assertThat(report("snapshot.transient-after-write", SnapshotStatus.Working.class).metadataSectors()).isZero();
        SnapshotStatus.Working merged = report("snapshot-merge.merged", SnapshotStatus.Working.class);
        assertThat(merged.merging()).isTrue();
        assertThat(merged.merged()).isTrue();
        assertThat(report("snapshot.before-merge", SnapshotStatus.Working.class).merged()).isFalse();
        assertThat(report("snapshot-origin.fresh")).isEqualTo(new EmptyStatus("snapshot-origin"));
    }

    @Test
    void cacheStates() {
        CacheStatus.Working fresh = report("cache.fresh", CacheStatus.Working.class);
        assertThat(fresh.metadataBlockSizeSectors()).isEqualTo(8);
        assertThat(fresh.cacheBlockSizeSectors()).isEqualTo(128);
        assertThat(fresh.totalCacheBlocks()).isEqualTo(256); // 16 MiB of 64 KiB blocks
        assertThat(fresh.ioMode()).isEqualTo(CacheStatus.IoMode.WRITEBACK);
        assertThat(fresh.policy()).isEqualTo("smq");
        assertThat(fresh.policyArguments()).isEmpty();
        assertThat(fresh.readOnly()).isFalse();
        assertThat(fresh.needsCheck()).isFalse();
        CacheStatus.Working io = report("cache.after-io", CacheStatus.Working.class);
        assertThat(io.counters().readMisses() + io.counters().readHits()).isPositive();
        assertThat(io.counters().writeHits() + io.counters().writeMisses()).isPositive();
        assertThat(report("cache.migration_threshold-4096", CacheStatus.Working.class).migrationThresholdSectors())
                .hasValue(4096);
        CacheStatus.Working v2 = report("cache.metadata2-writethrough-no_discard_passdown", CacheStatus.Working.class);
        assertThat(v2.features()).containsExactly("metadata2", "writethrough", "no_discard_passdown");
        assertThat(v2.ioMode()).isEqualTo(CacheStatus.IoMode.WRITETHROUGH);
        assertThat(v2.migrationThresholdSectors()).hasValue(1024);
        assertThat(report("cache.cleaner", CacheStatus.Working.class).policy()).isEqualTo("cleaner");
        assertThat(report("cache.passthrough", CacheStatus.Working.class).ioMode())
                .isEqualTo(CacheStatus.IoMode.PASSTHROUGH);
    }

    @Test
    void writecacheStates() {
        WritecacheStatus fresh = report("writecache.fresh", WritecacheStatus.class);
        assertThat(fresh.failed()).isFalse();
        assertThat(fresh.freeBlocks()).isEqualTo(fresh.totalBlocks());
        assertThat(fresh.statistics()).as("6.1 prints the counters").isPresent();
        WritecacheStatus io = report("writecache.after-io", WritecacheStatus.class);
        assertThat(io.freeBlocks()).as("2 MiB of 4 KiB blocks cached").isEqualTo(io.totalBlocks() - 512);
        assertThat(io.statistics().orElseThrow().writes()).isEqualTo(512);
        WritecacheStatus flushed = report("writecache.after-flush", WritecacheStatus.class);
        assertThat(flushed.freeBlocks()).as("flush wrote everything back").isEqualTo(flushed.totalBlocks());
        assertThat(report("writecache.after-clear_stats", WritecacheStatus.class).statistics().orElseThrow().writes())
                .isZero();
    }

    @Test
    void eraStates() {
        EraStatus.Working fresh = report("era.fresh", EraStatus.Working.class);
        assertThat(fresh.metadataBlockSizeSectors()).isEqualTo(8);
        assertThat(fresh.heldMetadataRoot()).isEmpty();
        EraStatus.Working checkpoint = report("era.after-checkpoint", EraStatus.Working.class);
        assertThat(checkpoint.currentEra()).isEqualTo(fresh.currentEra() + 1);
        assertThat(report("era.held-root", EraStatus.Working.class).heldMetadataRoot()).isPresent();
        assertThat(report("era.dropped-root", EraStatus.Working.class).heldMetadataRoot()).isEmpty();
    }

    @Test
    void raidStates() {
        RaidStatus idle = report("raid.raid1-idle", RaidStatus.class);
        assertThat(idle.raidType()).isEqualTo("raid1");
        assertThat(idle.devices()).isEqualTo(2);
        assertThat(idle.inSync()).isTrue();
        assertThat(idle.journal()).isEmpty();
        RaidStatus running = report("raid.raid1-check-running", RaidStatus.class);
        assertThat(running.syncAction()).isEqualTo(RaidStatus.SyncAction.CHECK);
        assertThat(running.syncedSectors()).isLessThan(running.totalSectors());
        assertThat(report("raid.raid1-repair-running", RaidStatus.class).syncAction())
                .isEqualTo(RaidStatus.SyncAction.REPAIR);
        assertThat(report("raid.raid1-frozen", RaidStatus.class).syncAction()).isEqualTo(RaidStatus.SyncAction.FROZEN);
        assertThat(report("raid.raid1-check-mismatches", RaidStatus.class).mismatches())
                .as("the 1 MiB that differs, in sectors").isEqualTo(2048);
        assertThat(report("raid.raid1-after-repair", RaidStatus.class).mismatches())
                .as("the count belongs to check only").isZero();
        assertThat(report("raid.raid5_ls-fresh", RaidStatus.class).health()).hasSize(3);
        RaidStatus failed = report("raid.raid1-failed-leg", RaidStatus.class);
        assertThat(failed.health()).contains(RaidStatus.Health.DEAD);
        assertThat(failed.inSync()).isFalse();
    }

    @Test
    void mirrorStates() {
        MirrorStatus core = report("mirror.core-synced", MirrorStatus.class);
        assertThat(core.devices()).hasSize(2);
        assertThat(core.inSync()).isTrue();
        assertThat(core.logType()).isEqualTo("core");
        assertThat(core.logArguments()).isEmpty();
        MirrorStatus disk = report("mirror.disk-log", MirrorStatus.class);
        assertThat(disk.logType()).isEqualTo("disk");
        assertThat(disk.logArguments()).hasSize(2).last().isEqualTo("A");
    }

    @Test
    void multipathStates() {
        MultipathStatus rr = report("multipath.round-robin", MultipathStatus.class);
        assertThat(rr.groups()).hasSize(1);
        assertThat(rr.nextGroup()).isEqualTo(1);
        assertThat(rr.activePaths()).isEqualTo(2);
        MultipathStatus failed = report("multipath.failed-path", MultipathStatus.class);
        assertThat(failed.activePaths()).isEqualTo(1);
        MultipathStatus.Path second = failed.groups().get(0).paths().get(1);
        assertThat(second.active()).isFalse();
        assertThat(second.failCount()).isEqualTo(1);
        assertThat(report("multipath.reinstated-path", MultipathStatus.class).activePaths()).isEqualTo(2);
        MultipathStatus two = report("multipath.two-groups-bio", MultipathStatus.class);
        assertThat(two.groups()).hasSize(2);
        assertThat(two.groups().get(0).paths().get(0).selectorStatus()).as("queue-length: the queue").hasSize(1);
        assertThat(two.groups().get(1).paths().get(0).selectorStatus())
                .as("service-time: in flight, throughput").hasSize(2);
        assertThat(report("multipath.group-disabled", MultipathStatus.class).groups().get(1).state())
                .isEqualTo(MultipathStatus.GroupState.DISABLED);
    }

    @Test
    void integrityVerityDelayAndTheOthers() {
        IntegrityStatus integrity = report("integrity.fresh", IntegrityStatus.class);
        assertThat(integrity.mismatches()).isZero();
        assertThat(integrity.providedDataSectors()).isPositive().isLessThan(32L << 11);
        assertThat(report("verity.valid")).isEqualTo(new VerityStatus(false, OptionalLong.empty()));
        assertThat(report("verity.corrupted")).isEqualTo(new VerityStatus(true, OptionalLong.empty()));
        assertThat(report("delay.fresh")).isEqualTo(new DelayStatus(0, 0, 0));
        assertThat(report("delay.read-queued")).isEqualTo(new DelayStatus(1, 0, 0));
        assertThat(report("flakey.fresh")).as("flakey reports nothing on 6.1").isEqualTo(new EmptyStatus("flakey"));
        assertThat(report("crypt.fresh")).isEqualTo(new EmptyStatus("crypt"));
        assertThat(report("striped.fresh", StripedStatus.class).health())
                .containsExactly(StripedStatus.Health.ALIVE, StripedStatus.Health.ALIVE);
        LogWritesStatus log = report("log-writes.after-write", LogWritesStatus.class);
        assertThat(log.loggedEntries()).isPositive();
        assertThat(log.loggingEnabled()).isTrue();
        Map<String, Integer> linear = new HashMap<>();
        lines.stream().filter(l -> l.label().startsWith("linear.two-targets"))
                .forEach(l -> linear.merge(l.status().type(), 1, Integer::sum));
        assertThat(linear).containsEntry("linear", 2);
    }
}
