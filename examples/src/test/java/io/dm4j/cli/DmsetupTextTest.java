package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.DmVersion;
import io.dm4j.TargetVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * dmctl's text against what dmsetup 1.02.185 printed for the same devices (captured in the VM,
 * kernel 6.1, dm 4.47.0). DmctlIT compares the two live on the real kernel.
 */
class DmsetupTextTest {
    private static final DeviceNumber LIN = new DeviceNumber(254, 0);
    private static final DeviceNumber TOP = new DeviceNumber(254, 1);
    private static final DeviceNumber EMPTY = new DeviceNumber(254, 2);
    private static final DeviceNumber SUSP = new DeviceNumber(254, 3);

    @Test
    void infoLongFormWithUuidAndWithout() {
        DeviceInfo top = new DeviceInfo("zz-top", Optional.of("TESTUUID-1"), TOP, 0, 0, 1,
                Set.of(DeviceFlag.LIVE_TABLE_PRESENT));
        assertThat(DmsetupText.info(top, OptionalInt.of(256))).isEqualTo("""
                Name:              zz-top
                State:             ACTIVE
                Read Ahead:        256
                Tables present:    LIVE
                Open count:        0
                Event number:      0
                Major, minor:      254, 1
                Number of targets: 1
                UUID: TESTUUID-1

                """);
        DeviceInfo susp = new DeviceInfo("zz-susp", Optional.empty(), SUSP, 0, 0, 1,
                Set.of(DeviceFlag.SUSPENDED, DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.INACTIVE_TABLE_PRESENT));
        assertThat(DmsetupText.info(susp, OptionalInt.of(256))).contains("State:             SUSPENDED\n")
                .contains("Tables present:    LIVE & INACTIVE\n").doesNotContain("UUID");
        DeviceInfo empty = new DeviceInfo("zz-empty", Optional.empty(), EMPTY, 0, 0, 0, Set.of());
        assertThat(DmsetupText.info(empty, OptionalInt.empty())).isEqualTo("""
                Name:              zz-empty
                State:             ACTIVE
                Tables present:    None
                Open count:        0
                Event number:      0
                Major, minor:      254, 2
                Number of targets: 0

                """);
        DeviceInfo odd = new DeviceInfo("x", Optional.empty(), LIN, 1, 3, 1,
                Set.of(DeviceFlag.READ_ONLY, DeviceFlag.DEFERRED_REMOVE, DeviceFlag.INACTIVE_TABLE_PRESENT));
        assertThat(DmsetupText.info(odd, OptionalInt.empty()))
                .contains("State:             ACTIVE (READ-ONLY) (DEFERRED REMOVE)\n")
                .contains("Tables present:    INACTIVE\n");
    }

    @Test
    void listDepsTargetsAndTableLines() {
        assertThat(DmsetupText.name("zz-lin", LIN.toString())).isEqualTo("zz-lin\t(254:0)\n");
        assertThat(DmsetupText.name("zz-lin", "dm-0")).isEqualTo("zz-lin\t(dm-0)\n");
        assertThat(DmsetupText.nameForTarget("zz-lin", LIN)).isEqualTo("zz-lin\t(254, 0)\n");
        assertThat(DmsetupText.deps(List.of(new DeviceNumber(7, 0)))).isEqualTo("1 dependencies\t: (7, 0)\n");
        assertThat(DmsetupText.deps(List.of())).isEqualTo("0 dependencies\t:\n");
        assertThat(DmsetupText.targetLine(0, 100, "zero", "")).isEqualTo("0 100 zero \n");
        assertThat(DmsetupText.targetLine(2048, 1024, "linear", "7:0 4096")).isEqualTo("2048 1024 linear 7:0 4096\n");
        assertThat(DmsetupText.target(new TargetVersion("snapshot-origin", new DmVersion(1, 9, 0))))
                .isEqualTo("snapshot-origin  v1.9.0\n");
        assertThat(DmsetupText.target(new TargetVersion("switch", new DmVersion(1, 1, 0))))
                .isEqualTo("switch           v1.1.0\n");
    }

    @Test
    void treeAsDmsetupDrawsIt() {
        List<DeviceListEntry> devices = List.of(entry("zz-empty", EMPTY), entry("zz-lin", LIN), entry("zz-susp", SUSP),
                entry("zz-top", TOP));
        Map<DeviceNumber, List<DeviceNumber>> deps = Map.of(EMPTY, List.of(), LIN, List.of(new DeviceNumber(7, 0)),
                SUSP, List.of(), TOP, List.of(LIN));
        assertThat(DmsetupText.tree(devices, deps, DmsetupText.TreeSymbols.UTF)).isEqualTo("""
                zz-empty (254:2)
                zz-susp (254:3)
                zz-top (254:1)
                 \u2514\u2500zz-lin (254:0)
                    \u2514\u2500 (7:0)
                """);
        assertThat(DmsetupText.tree(devices, deps, DmsetupText.TreeSymbols.ASCII)).isEqualTo("""
                zz-empty (254:2)
                zz-susp (254:3)
                zz-top (254:1)
                 `-zz-lin (254:0)
                    `- (7:0)
                """);
    }

    @Test
    void treeWithSiblingsDrawsVerticals() {
        DeviceNumber a = new DeviceNumber(254, 10);
        DeviceNumber b = new DeviceNumber(254, 11);
        DeviceNumber c = new DeviceNumber(254, 12);
        List<DeviceListEntry> devices = List.of(entry("a", a), entry("b", b), entry("c", c));
        Map<DeviceNumber, List<DeviceNumber>> deps = Map.of(a, List.of(b, c), b, List.of(new DeviceNumber(7, 1)),
                c, List.of(new DeviceNumber(7, 2)));
        assertThat(DmsetupText.tree(devices, deps, DmsetupText.TreeSymbols.ASCII)).isEqualTo("""
                a (254:10)
                 |-b (254:11)
                 |  `- (7:1)
                 `-c (254:12)
                    `- (7:2)
                """);
    }

    private static DeviceListEntry entry(String name, DeviceNumber d) {
        return new DeviceListEntry(name, d, OptionalLong.of(0), Optional.empty());
    }
}
