package io.dm4j.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.TargetStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The forms of the kernel's *_status() functions that are hard to provoke on a test machine (a
 * failed pool, needs_check, journals, older kernels' shorter lines) and malformed texts.
 */
class StatusOddFormsTest {

    @ParameterizedTest(name = "{0} ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "thin-pool|Fail|FAIL", "thin-pool|Error|ERROR", "thin|Fail|FAIL", "thin|Error|ERROR", "thin|-|UNAVAILABLE",
        "thin|' Fail '|FAIL", "snapshot|Invalid|INVALID", "snapshot-merge|Merge failed|MERGE_FAILED",
        "snapshot|Overflow|OVERFLOW", "snapshot|Unknown|UNKNOWN_USAGE", "cache|Fail|FAIL", "cache|Error|ERROR",
        "era|Error|ERROR"})
    void failureWordsAreStatesNotExceptions(String type, String text, TargetFailure.Kind kind) {
        assertThat(StatusReport.parse(type, text)).isEqualTo(new TargetFailure(type, kind));
    }

    @ParameterizedTest(name = "{0} ''{1}''")
    @CsvSource(delimiter = '|', value = {"thin-pool|-", "thin-pool|Invalid", "thin|Overflow", "snapshot|Fail",
        "cache|-", "era|Fail", "snapshot|Merge  failed extra"})
    void aFailureWordOfAnotherTargetIsMalformed(String type, String text) {
        assertThatThrownBy(() -> StatusReport.parse(type, text)).isInstanceOf(StatusParseException.class);
    }

    @Test
    void aPoolThatNeedsACheckInReadOnlyMode() {
        ThinPoolStatus.Working pool = (ThinPoolStatus.Working) ThinPoolStatus.parse(
                "5 300/2048 1000/1024 - ro discard_passdown error_if_no_space needs_check 512 ");
        assertThat(pool.mode()).isEqualTo(ThinPoolStatus.Mode.READ_ONLY);
        assertThat(pool.needsCheck()).isTrue();
        assertThat(pool.noSpace()).isEqualTo(ThinPoolStatus.NoSpace.ERROR);
        assertThat(pool.usedDataBlocks()).isEqualTo(1000);
    }

    @Test
    void aPoolOfAKernelBeforeTheMetadataLowWaterMark() {
        ThinPoolStatus.Working pool = (ThinPoolStatus.Working) ThinPoolStatus.parse(
                "0 10/100 0/50 17 out_of_data_space no_discard_passdown queue_if_no_space -");
        assertThat(pool.metadataLowWaterBlocks()).isEmpty();
        assertThat(pool.heldMetadataRoot()).hasValue(17);
        assertThat(pool.mode()).isEqualTo(ThinPoolStatus.Mode.OUT_OF_DATA_SPACE);
    }

    @Test
    void aReadOnlyCacheThatNeedsACheck() {
        CacheStatus.Working cache = (CacheStatus.Working) CacheStatus.parse("8 27/4096 128 10/256 1 2 3 4 5 6 7 "
                + "2 metadata2 writethrough 4 migration_threshold 2048 extra x mq 10 random_threshold 0 "
                + "sequential_threshold 0 discard_promote_adjustment 0 read_promote_adjustment 0 "
                + "write_promote_adjustment 0 ro needs_check ");
        assertThat(cache.readOnly()).isTrue();
        assertThat(cache.needsCheck()).isTrue();
        assertThat(cache.counters()).isEqualTo(new CacheStatus.Counters(1, 2, 3, 4, 5, 6, 7));
        assertThat(cache.coreArguments()).containsExactly(Map.entry("migration_threshold", "2048"), Map.entry("extra", "x"));
        assertThat(cache.policy()).isEqualTo("mq");
        assertThat(cache.policyArguments()).hasSize(5).containsEntry("write_promote_adjustment", "0");
    }

    @Test
    void writecacheOfAnOlderKernelAndWithAnError() {
        assertThat(WritecacheStatus.parse("0 100 60 4"))
                .isEqualTo(new WritecacheStatus(0, 100, 60, 4, Optional.empty()));
        WritecacheStatus failed = WritecacheStatus.parse("-5 100 100 0 1 2 3 4 5 6 7 8 9 10");
        assertThat(failed.failed()).isTrue();
        assertThat(failed.error()).isEqualTo(-5);
        assertThat(failed.statistics()).contains(new WritecacheStatus.Statistics(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    }

    @Test
    void raidWithAJournalAMissingAndADeadDevice() {
        RaidStatus raid = RaidStatus.parse("raid5_ls 4 A-Da 100/1000 recover 0 2048 a");
        assertThat(raid.health()).containsExactly(RaidStatus.Health.ALIVE_IN_SYNC, RaidStatus.Health.MISSING,
                RaidStatus.Health.DEAD, RaidStatus.Health.ALIVE_NOT_IN_SYNC);
        assertThat(raid.journal()).contains(RaidStatus.Health.ALIVE_NOT_IN_SYNC);
        assertThat(raid.dataOffset()).isEqualTo(2048);
        assertThat(raid.syncAction()).isEqualTo(RaidStatus.SyncAction.RECOVER);
        assertThat(RaidStatus.parse("raid1 2 aa 0/2048 resync 0 0 -").syncAction()).isEqualTo(RaidStatus.SyncAction.RESYNC);
        assertThat(RaidStatus.parse("raid10 2 AA 0/2048 undef 0 0 -").syncAction())
                .isEqualTo(RaidStatus.SyncAction.UNDEFINED);
    }

    @Test
    void mirrorWithAFailedLogAndLegs() {
        MirrorStatus m = MirrorStatus.parse("3 253:1 253:2 253:3 10/20 1 ADS 3 disk 253:4 F");
        assertThat(m.health()).containsExactly(MirrorStatus.Health.ALIVE, MirrorStatus.Health.WRITE_FAILED,
                MirrorStatus.Health.SYNC_FAILED);
        assertThat(m.logArguments()).containsExactly("253:4", "F");
        assertThat(m.inSync()).isFalse();
    }

    @Test
    void multipathWithAGroupSelectorStatusAndNoGroups() {
        MultipathStatus hst = MultipathStatus.parse(
                "2 0 3 0 1 1 A 2 972 0 2 3 8:16 A 0 10 0 3 8:32 F 4 20 1 3 ");
        assertThat(hst.pgInitCount()).isEqualTo(3);
        assertThat(hst.groups().get(0).selectorStatus()).containsExactly("972", "0");
        assertThat(hst.groups().get(0).paths().get(1).selectorStatus()).containsExactly("20", "1", "3");
        assertThat(MultipathStatus.parse("2 0 0 0 0 0")).isEqualTo(new MultipathStatus(false, 0, 0, List.of()));
    }

    @Test
    void verityWithForwardErrorCorrectionCounts() {
        assertThat(VerityStatus.parse("V 12")).isEqualTo(new VerityStatus(false, OptionalLong.of(12)));
        assertThat(VerityStatus.parse("C -")).isEqualTo(new VerityStatus(true, OptionalLong.empty()));
    }

    @Test
    void integrityRecalculatingAndLogWritesDisabled() {
        assertThat(IntegrityStatus.parse("3 1000 512")).isEqualTo(new IntegrityStatus(3, 1000, OptionalLong.of(512)));
        assertThat(LogWritesStatus.parse("10 99 logging_disabled")).isEqualTo(new LogWritesStatus(10, 99, false));
    }

    @Test
    void typesWithoutAParserAndSilentTypesThatSpeak() {
        assertThat(StatusReport.parse(new TargetStatus(0, 8, "switch", "")))
                .isEqualTo(new UnknownStatus("switch", ""));
        assertThat(StatusReport.parse("dust", "7:0 bypass verbose")).isEqualTo(new UnknownStatus("dust", "7:0 bypass verbose"));
        assertThat(StatusReport.parse("linear", "")).isEqualTo(new EmptyStatus("linear"));
        assertThat(StatusReport.parse("flakey", "1 2 3")).as("a future kernel's flakey status stays text")
                .isEqualTo(new UnknownStatus("flakey", "1 2 3"));
    }

    @ParameterizedTest(name = "{0} ''{1}'' fails at {2}")
    @CsvSource(delimiter = '|', value = {
        "thin-pool|''|transaction id",
        "thin-pool|x 1/2 1/2 - rw discard_passdown queue_if_no_space - 1|transaction id",
        "thin-pool|0 3/2 1/2 - rw discard_passdown queue_if_no_space - 1|used/total metadata blocks",
        "thin-pool|0 1-2 1/2 - rw discard_passdown queue_if_no_space - 1|used/total metadata blocks",
        "thin-pool|0 1/2 1/2 - rw discard_passdown queue_if_no_space maybe 1|needs_check",
        "thin-pool|0 1/2 1/2 - xx discard_passdown queue_if_no_space - 1|mode",
        "thin-pool|0 1/2 1/2 - rw discard_passdown queue_if_no_space - 1 extra|end of text",
        "thin-pool|99999999999999999999 1/2 1/2 - rw discard_passdown queue_if_no_space - 1|transaction id",
        "thin|12|highest mapped sector",
        "thin|-5 -|mapped sectors",
        "snapshot|1/2|metadata sectors",
        "snapshot|/ 3|allocated/total sectors",
        "cache|8 1/2 128 1/2 1 2 3 4 5 6 7 9 writeback|features",
        "cache|8 1/2 128 1/2 1 2 3 4 5 6 7 1 writeback 1 migration_threshold smq 0 rw -|core arguments",
        "writecache|0 10 20 0|free blocks",
        "writecache|0 10 5 0 1 2|writes",
        "raid|raid1 2 A 1/2 idle 0 0 -|health",
        "raid|raid1 2 AX 1/2 idle 0 0 -|health",
        "raid|raid1 2 AA 1/2 sleeping 0 0 -|sync action",
        "raid|raid1 2 AA 1/2 idle 0 0 AA|journal",
        "mirror|2 8:1 8:2 1/2 1 AAA 1 core|health",
        "mirror|2 8:1 8:2 1/2 1 AA 0|log status",
        "multipath|2 0 0 0 1 1 X 0 0 0|priority group 1 state",
        "multipath|2 0 0 0 1 2 E 0 0 0|next priority group",
        "multipath|2 0 0 0 1 1 E 0 1 0 8:1 B 0|priority group 1 path 1 state",
        "multipath|1 0 0 0 0|features",
        "integrity|1 2|recalculating sector",
        "verity|X|verification",
        "delay|0 0|delayed flushes",
        "striped|2 8:1 8:2 1 AZ|health",
        "log-writes|1 2 3|logging",
        "era|8 1/2 3|held metadata root"})
    void malformedTextRaisesAParseErrorNamingTheField(String type, String text, String field) {
        assertThatThrownBy(() -> StatusReport.parse(type, text))
                .isInstanceOfSatisfying(StatusParseException.class, e -> {
                    assertThat(e.type()).isEqualTo(type);
                    assertThat(e.text()).isEqualTo(text);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(type, field);
                });
    }
}
