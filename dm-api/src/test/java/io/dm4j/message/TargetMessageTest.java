package io.dm4j.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each message's text is what the kernel's message handler parses; bad arguments never leave the JVM. */
class TargetMessageTest {

    @Test
    void textsAreWhatTheKernelParses() {
        Map<TargetMessage, String> expected = Map.ofEntries(
                Map.entry(ThinPoolMessage.createThin(0), "create_thin 0"),
                Map.entry(ThinPoolMessage.createThin(ThinPoolMessage.MAX_DEVICE_ID), "create_thin 16777215"),
                Map.entry(ThinPoolMessage.createSnapshot(2, 1), "create_snap 2 1"),
                Map.entry(ThinPoolMessage.delete(3), "delete 3"),
                Map.entry(ThinPoolMessage.setTransactionId(0, 1), "set_transaction_id 0 1"),
                Map.entry(ThinPoolMessage.reserveMetadataSnapshot(), "reserve_metadata_snap"),
                Map.entry(ThinPoolMessage.releaseMetadataSnapshot(), "release_metadata_snap"),
                Map.entry(RaidMessage.CHECK, "check"), Map.entry(RaidMessage.REPAIR, "repair"),
                Map.entry(RaidMessage.IDLE, "idle"), Map.entry(RaidMessage.FROZEN, "frozen"),
                Map.entry(RaidMessage.RESYNC, "resync"), Map.entry(RaidMessage.RECOVER, "recover"),
                Map.entry(MultipathMessage.failPath(new DeviceNumber(7, 1)), "fail_path 7:1"),
                Map.entry(MultipathMessage.reinstatePath(new DeviceNumber(8, 16)), "reinstate_path 8:16"),
                Map.entry(new MultipathMessage.ForPath(MultipathMessage.PathAction.FAIL, "/dev/sdb"), "fail_path /dev/sdb"),
                Map.entry(MultipathMessage.queueIfNoPath(), "queue_if_no_path"),
                Map.entry(MultipathMessage.failIfNoPath(), "fail_if_no_path"),
                Map.entry(MultipathMessage.switchGroup(2), "switch_group 2"),
                Map.entry(MultipathMessage.disableGroup(1), "disable_group 1"),
                Map.entry(MultipathMessage.enableGroup(1), "enable_group 1"),
                Map.entry(WritecacheMessage.FLUSH, "flush"),
                Map.entry(WritecacheMessage.FLUSH_ON_SUSPEND, "flush_on_suspend"),
                Map.entry(WritecacheMessage.CLEANER, "cleaner"), Map.entry(WritecacheMessage.CLEAR_STATS, "clear_stats"),
                Map.entry(EraMessage.CHECKPOINT, "checkpoint"), Map.entry(EraMessage.TAKE_METADATA_SNAP, "take_metadata_snap"),
                Map.entry(EraMessage.DROP_METADATA_SNAP, "drop_metadata_snap"),
                Map.entry(CacheMessage.migrationThreshold(2048), "migration_threshold 2048"));
        expected.forEach((message, text) -> assertThat(message.text()).as(message.toString()).isEqualTo(text));
    }

    @Test
    void eachFamilyNamesItsTarget() {
        assertThat(List.of(ThinPoolMessage.delete(1), RaidMessage.IDLE, MultipathMessage.queueIfNoPath(),
                WritecacheMessage.FLUSH, EraMessage.CHECKPOINT, CacheMessage.migrationThreshold(1)))
                .extracting(TargetMessage::targetType)
                .containsExactly("thin-pool", "raid", "multipath", "writecache", "era", "cache");
    }

    @Test
    void badArgumentsAreRejectedWhenTheMessageIsBuilt() {
        assertThatThrownBy(() -> ThinPoolMessage.createThin(-1)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("thin device id");
        assertThatThrownBy(() -> ThinPoolMessage.createThin(1L << 24)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("0..16777215");
        assertThatThrownBy(() -> ThinPoolMessage.createSnapshot(4, 4)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("origin");
        assertThatThrownBy(() -> ThinPoolMessage.delete(-2)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ThinPoolMessage.setTransactionId(-1, 0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MultipathMessage.switchGroup(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("priority group");
        assertThatThrownBy(() -> new MultipathMessage.ForPath(MultipathMessage.PathAction.FAIL, "7:1 extra")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("one word");
        assertThatThrownBy(() -> new MultipathMessage.ForPath(MultipathMessage.PathAction.REINSTATE, "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new MultipathMessage.ForPath(MultipathMessage.PathAction.FAIL, "a\\b")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> CacheMessage.migrationThreshold(-1)).isInstanceOf(InvalidArgumentException.class);
    }
}
