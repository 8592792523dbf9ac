package io.dm4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import java.nio.CharBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Each record refuses what the kernel would refuse, naming the target and field, before any ioctl. */
class TargetValidationTest {
    private static final DeviceNumber D0 = new DeviceNumber(7, 0);
    private static final DeviceNumber D1 = new DeviceNumber(7, 1);

    private static void refused(ThrowingCallable construct, String... fragments) {
        var a = assertThatThrownBy(construct).isInstanceOf(InvalidArgumentException.class);
        for (String f : fragments) {
            a.hasMessageContaining(f);
        }
    }

    @Test
    void units() {
        assertThat(Sectors.ofBytes(4096)).isEqualTo(Sectors.of(8));
        assertThat(Sectors.of(8).bytes()).isEqualTo(4096);
        refused(() -> Sectors.ofBytes(1000), "multiple of 512");
        refused(() -> Sectors.of(-1), "negative");
        refused(() -> Sectors.of(Long.MAX_VALUE).bytes(), "byte count");
        refused(() -> Sectors.of(Long.MAX_VALUE).plus(Sectors.of(1)), "overflows");
    }

    @Test
    void cryptKeys() {
        try (CryptKey k = CryptKey.fromHex(CharBuffer.wrap("00FFaa10".toCharArray()));
                CryptKey same = CryptKey.fromHex("00ffaa10")) {
            assertThat(k).isEqualTo(same).hasToString("CryptKey[4 bytes]");
            assertThat(k.hashCode()).isEqualTo(4);
        }
        refused(() -> CryptKey.fromHex("abc"), "even number");
        refused(() -> CryptKey.fromHex("zz"), "hex");
        refused(() -> CryptKey.fromHex(""), "1..1024");
        CryptKey k = CryptKey.random(16);
        k.close();
        assertThat(k.isClosed()).isTrue();
        assertThat(k.toString()).contains("closed");
        assertThatThrownBy(() -> CryptTarget.of("aes", k, D0).paramsWithKey()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void crypt() {
        CryptTarget base = new CryptTarget("aes-xts-plain64", new CryptTarget.Key.None(), Sectors.ZERO, D0, Sectors.ZERO,
                Set.of(), Sectors.ofBytes(512), Optional.empty());
        refused(() -> base.withSectorSize(Sectors.ofBytes(1536)), "crypt sector size");
        refused(() -> base.withSectorSize(Sectors.ofBytes(8192)), "crypt sector size");
        refused(() -> new CryptTarget("aes xts", base.key(), Sectors.ZERO, D0, Sectors.ZERO, Set.of(), Sectors.ofBytes(512),
                Optional.empty()), "crypt cipher");
        refused(() -> new CryptTarget("aes", base.key(), Sectors.of(3), D0, Sectors.ZERO, Set.of(), Sectors.ofBytes(4096),
                Optional.empty()), "crypt IV offset");
        refused(() -> new CryptTarget.Integrity(481, CryptTarget.IntegrityProfile.AEAD), "tag size");
        refused(() -> new CryptTarget.Key.Keyring(32, CryptTarget.KeyringType.LOGON, "has space"), "description");
        assertThatThrownBy(() -> base.withKey(new CryptTarget.Key.Hidden(32)).paramsWithKey())
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("not disclosed");
        assertThat(base.withFlags(Set.of(CryptTarget.Flag.IV_LARGE_SECTORS, CryptTarget.Flag.ALLOW_DISCARDS))
                .withSectorSize(Sectors.ofBytes(4096)).params())
                .isEqualTo("aes-xts-plain64 - 0 7:0 0 3 allow_discards sector_size:4096 iv_large_sectors");
        refused(() -> Target.parse("crypt", "aes 0011 0 7:0 0 1 sector_size:0512"), "malformed number");
        refused(() -> Target.parse("crypt", "aes 0011 0 7:0 0 2 allow_discards allow_discards"), "repeat");
        refused(() -> Target.parse("crypt", "aes :32:session:x 0 7:0 0"), "keyring key type");
        refused(() -> Target.parse("crypt", "aes 0g 0 7:0 0"), "crypt key");
    }

    @Test
    void otherTargets() {
        refused(() -> new StripedTarget(Sectors.ZERO, List.of(new DeviceOffset(D0, Sectors.ZERO))), "striped chunk size");
        refused(() -> new StripedTarget(Sectors.of(8), List.of()), "striped stripes");
        refused(() -> new ThinPoolTarget(D0, D1, Sectors.of(100), 0), "thin-pool block size");
        refused(() -> new ThinTarget(D0, 1 << 24), "thin device id");
        refused(() -> new FlakeyTarget(D0, Sectors.ZERO, 0, 0), "flakey intervals");
        refused(() -> new FlakeyTarget(D0, Sectors.ZERO, 1, 1, FlakeyTarget.Writes.DROP,
                Optional.of(new FlakeyTarget.CorruptBioByte(1, true, 0, 0))), "flakey features");
        refused(() -> new FlakeyTarget.CorruptBioByte(0, false, 0, 0), "corrupt byte");
        refused(() -> new DelayTarget(new DelayTarget.Route(D0, Sectors.ZERO, 1), Optional.empty(),
                Optional.of(new DelayTarget.Route(D1, Sectors.ZERO, 1))), "delay flush");
        refused(() -> new SnapshotTarget(D0, D1, SnapshotTarget.Store.PERSISTENT, Sectors.of(12), false, false), "chunk size");
        refused(() -> new SnapshotTarget(D0, D1, SnapshotTarget.Store.TRANSIENT, Sectors.ZERO, false, false), "chunk size");
        refused(() -> new SnapshotTarget(D0, D1, SnapshotTarget.Store.PERSISTENT, Sectors.of(8), false, true),
                "discard_passdown_origin");
        refused(() -> new SnapshotTarget(D0, D1, SnapshotTarget.Store.TRANSIENT, Sectors.of(8), false, false).merging(),
                "snapshot-merge store");
        refused(() -> CacheTarget.of(D0, D1, D0, Sectors.of(100)), "cache block size");
        refused(() -> CacheTarget.of(D0, D1, D0, Sectors.of(64), CacheTarget.Feature.WRITEBACK,
                CacheTarget.Feature.WRITETHROUGH), "at most one");
        refused(() -> new CacheTarget(D0, D1, D0, Sectors.of(64), List.of(), "smq", List.of("migration_threshold")),
                "key/value");
        refused(() -> new EraTarget(D0, D1, Sectors.ZERO), "era block size");
        refused(() -> new MirrorTarget(MirrorTarget.Log.core(Sectors.of(1024)), List.of(new DeviceOffset(D0, Sectors.ZERO)),
                Set.of()), "mirror legs");
        refused(() -> new MirrorTarget(MirrorTarget.Log.core(Sectors.of(1024)), List.of(new DeviceOffset(D0, Sectors.ZERO),
                new DeviceOffset(D1, Sectors.ZERO)), Set.of(MirrorTarget.Feature.KEEP_LOG)), "keep_log");
        refused(() -> MirrorTarget.Log.core(Sectors.of(1000)), "region size");
        refused(() -> new RaidTarget("raid1", Sectors.of(64), List.of(), List.of(RaidTarget.Leg.of(D0))), "raid1");
        refused(() -> new RaidTarget("raid7", Sectors.ZERO, List.of(), List.of(RaidTarget.Leg.of(D0))), "raid type");
        refused(() -> new RaidTarget("raid1", Sectors.ZERO, List.of(TargetOption.of(RaidTarget.Option.REBUILD, 2)),
                List.of(RaidTarget.Leg.of(D0), RaidTarget.Leg.of(D1))), "rebuild");
        refused(() -> new RaidTarget("raid1", Sectors.ZERO, List.of(TargetOption.of(RaidTarget.Option.REGION_SIZE, 1),
                TargetOption.of(RaidTarget.Option.REGION_SIZE, 2)), List.of(RaidTarget.Leg.of(D0))), "twice");
    }

    @Test
    void optionLists() {
        refused(() -> TargetOption.of(WritecacheTarget.Option.HIGH_WATERMARK, "x"), "decimal number");
        refused(() -> TargetOption.of(WritecacheTarget.Option.CLEANER, "1"), "takes no value");
        refused(() -> TargetOption.of(VerityTarget.Option.USE_FEC_FROM_DEVICE, "/dev/sda"), "major:minor");
        refused(() -> new WritecacheTarget(WritecacheTarget.Mode.SSD, D0, D1, Sectors.ofBytes(4096),
                List.of(TargetOption.flag(VerityTarget.Option.CHECK_AT_MOST_ONCE))), "not a writecache option");
        refused(() -> new WritecacheTarget(WritecacheTarget.Mode.SSD, D0, D1, Sectors.ofBytes(4096),
                List.of(TargetOption.flag(WritecacheTarget.Option.FUA))), "persistent memory");
        refused(() -> new WritecacheTarget(WritecacheTarget.Mode.SSD, D0, D1, Sectors.ofBytes(4096),
                List.of(TargetOption.of(WritecacheTarget.Option.HIGH_WATERMARK, 101))), "high_watermark");
        refused(() -> new WritecacheTarget(WritecacheTarget.Mode.SSD, D0, D1, Sectors.ofBytes(3072), List.of()),
                "writecache block size");
        OptionKey[] modes = {VerityTarget.Option.IGNORE_CORRUPTION, VerityTarget.Option.PANIC_ON_CORRUPTION};
        refused(() -> verity(List.of(TargetOption.flag(modes[0]), TargetOption.flag(modes[1]))), "only one");
        refused(() -> verity(List.of(TargetOption.of(VerityTarget.Option.FEC_ROOTS, 2))), "fec");
        refused(() -> new IntegrityTarget(D0, Sectors.ZERO, 4, IntegrityTarget.Mode.BITMAP, List.of()), "internal_hash");
        refused(() -> new IntegrityTarget(D0, Sectors.ZERO, 0, IntegrityTarget.Mode.JOURNAL, List.of()), "tag size");
        MultipathTarget.Path p = new MultipathTarget.Path(D0, List.of("2"));
        refused(() -> new MultipathTarget.PathGroup("round-robin", List.of(p)), "repeat count");
        refused(() -> new MultipathTarget.PathGroup("service-time", List.of(new MultipathTarget.Path(D0, List.of("1")))),
                "service-time path arguments");
        refused(() -> new MultipathTarget(List.of(TargetOption.of(MultipathTarget.Option.QUEUE_MODE, "rq")),
                Optional.empty(), 0, List.of()), "queue_mode");
        refused(() -> new MultipathTarget(List.of(), Optional.empty(), 2,
                List.of(MultipathTarget.PathGroup.of("round-robin", List.of(D0), "1"))), "initial group");
        refused(() -> Target.parse("writecache", "s 7:0 7:1 4096 1 high_watermark 60"), "lacks its value");
        refused(() -> Target.parse("writecache", "s 7:0 7:1 4096 2 cleaner"), "option is missing");
        refused(() -> Target.parse("integrity", "7:0 0 4 J 1 bogus:1"), "unknown");
    }

    private static VerityTarget verity(List<TargetOption> options) {
        return new VerityTarget(1, D0, D1, Sectors.ofBytes(4096), Sectors.ofBytes(4096), 8, 1, "sha256", "ab",
                Optional.empty(), options);
    }

    @Test
    void canonicalisation() {
        // The kernel prints options in its own order and adds retain_attached_hw_handler to bio mode.
        WritecacheTarget wc = new WritecacheTarget(WritecacheTarget.Mode.SSD, D0, D1, Sectors.ofBytes(4096),
                List.of(TargetOption.flag(WritecacheTarget.Option.CLEANER), TargetOption.of(WritecacheTarget.Option.START_SECTOR, 8)));
        assertThat(wc.params()).isEqualTo("s 7:0 7:1 4096 3 start_sector 8 cleaner");
        MultipathTarget bio = new MultipathTarget(List.of(TargetOption.of(MultipathTarget.Option.QUEUE_MODE, "bio")),
                Optional.empty(), 1, List.of(MultipathTarget.PathGroup.of("round-robin", List.of(D0), "1")));
        assertThat(bio.params()).isEqualTo("3 retain_attached_hw_handler queue_mode bio 0 1 1 round-robin 0 1 1 7:0 1 ");
        RaidTarget raid = new RaidTarget("raid1", Sectors.ZERO, List.of(TargetOption.of(RaidTarget.Option.REGION_SIZE, 1024),
                TargetOption.of(RaidTarget.Option.WRITE_MOSTLY, 1), TargetOption.of(RaidTarget.Option.WRITE_MOSTLY, 0),
                TargetOption.flag(RaidTarget.Option.NOSYNC)), List.of(RaidTarget.Leg.of(D0),
                new RaidTarget.Leg(Optional.empty(), Optional.empty())));
        assertThat(raid.params()).isEqualTo("raid1 8 0 nosync write_mostly 0 write_mostly 1 region_size 1024 2 - 7:0 - -");
        assertThat(new ThinPoolTarget(D0, D1, Sectors.of(128), 0, Set.of(ThinPoolTarget.Feature.READ_ONLY,
                ThinPoolTarget.Feature.SKIP_BLOCK_ZEROING)).params()).isEqualTo("7:0 7:1 128 0 2 skip_block_zeroing read_only ");
        assertThat(new FlakeyTarget(D0, Sectors.ZERO, 10, 0).params()).isEqualTo("7:0 0 10 0 0 ");
    }
}
