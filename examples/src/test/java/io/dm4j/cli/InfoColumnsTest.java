package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code info -c} against what dmsetup 1.02.185 printed for the same devices in the VM (kernel
 * 6.1): ref-a live and open, ref-b with a uuid, ref-c read-only, ref-i with only an inactive
 * table, ref-s suspended. DmsetupCompatIT compares the two live.
 */
class InfoColumnsTest {
    private static InfoColumns.Row row(String name, String uuid, int minor, int open, int targets,
            DeviceFlag... flags) {
        Set<DeviceFlag> f = flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags);
        return new InfoColumns.Row(new DeviceInfo(name, Optional.ofNullable(uuid), new DeviceNumber(254, minor), open, 0,
                targets, f), OptionalInt.of(256), List.of(), Map.of());
    }

    private static final List<InfoColumns.Row> ROWS = List.of(
            row("ref-a", null, 0, 1, 1, DeviceFlag.LIVE_TABLE_PRESENT),
            row("ref-b", "REF-UUID-B", 1, 0, 1, DeviceFlag.LIVE_TABLE_PRESENT),
            row("ref-c", null, 2, 0, 1, DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.READ_ONLY),
            row("ref-i", null, 6, 0, 0, DeviceFlag.INACTIVE_TABLE_PRESENT),
            row("ref-s", null, 4, 0, 1, DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.SUSPENDED));

    private static InfoColumns.Options opts(String fields, String sort, boolean noHeadings, String separator,
            boolean prefixes, boolean unquoted, boolean rows) {
        return new InfoColumns.Options(fields, sort, noHeadings, separator, prefixes, unquoted, rows, InfoColumns.DEFAULT);
    }

    private static final InfoColumns.Options PLAIN = opts(null, null, false, null, false, false, false);

    @Test
    void defaultColumnsAreAlignedToTheFieldWidthsWithTrailingPadding() {
        assertThat(InfoColumns.render(ROWS, PLAIN)).isEqualTo(
                "Name             Maj Min Stat Open Targ Event  UUID                            \n"
                + "ref-a            254   0 L--w    1    1      0                                 \n"
                + "ref-b            254   1 L--w    0    1      0 REF-UUID-B                      \n"
                + "ref-c            254   2 L--r    0    1      0                                 \n"
                + "ref-i            254   6 -I-w    0    0      0                                 \n"
                + "ref-s            254   4 L-sw    0    1      0                                 \n");
    }

    @Test
    void noHeadingsMeansColonsAndNoAlignment() {
        assertThat(InfoColumns.render(ROWS.subList(0, 2), opts(null, null, true, null, false, false, false)))
                .isEqualTo("ref-a:254:0:L--w:1:1:0:\nref-b:254:1:L--w:0:1:0:REF-UUID-B\n");
        assertThat(InfoColumns.render(ROWS.subList(0, 1), opts("name,attr", null, true, " ", false, false, false)))
                .isEqualTo("ref-a L--w\n");
    }

    @Test
    void aSeparatorTurnsAlignmentOff() {
        assertThat(InfoColumns.render(ROWS.subList(0, 2), opts("name,major,uuid", null, false, "<>", false, false, false)))
                .isEqualTo("Name<>Maj<>UUID\nref-a<>254<>\nref-b<>254<>REF-UUID-B\n");
    }

    @Test
    void namePrefixesQuoteUnlessUnquoted() {
        List<InfoColumns.Row> b = List.of(ROWS.get(1));
        assertThat(InfoColumns.render(b, opts(null, null, false, null, true, false, false))).isEqualTo(
                "Name Maj Min Stat Open Targ Event UUID\n"
                + "DM_NAME='ref-b' DM_MAJOR='254' DM_MINOR='1' DM_ATTR='L--w' DM_OPEN='0' DM_SEGMENTS='1' "
                + "DM_EVENTS='0' DM_UUID='REF-UUID-B'\n");
        assertThat(InfoColumns.render(b, opts(null, null, false, null, true, true, false))).endsWith(
                "DM_EVENTS=0 DM_UUID=REF-UUID-B\n");
        assertThat(InfoColumns.render(List.of(ROWS.get(0)), opts(null, null, true, null, true, false, false)))
                .endsWith(":DM_UUID=''\n").startsWith("DM_NAME='ref-a':DM_MAJOR='254'");
    }

    @Test
    void rowsTurnTheReportOnItsSide() {
        assertThat(InfoColumns.render(ROWS.subList(0, 2), opts(null, null, false, ",", false, false, true))).isEqualTo(
                "Name,ref-a,ref-b\nMaj,254,254\nMin,0,1\nStat,L--w,L--w\nOpen,1,0\nTarg,1,1\nEvent,0,0\nUUID,,REF-UUID-B\n");
    }

    @Test
    void sortKeysCompareNumbersAsNumbersAndMinusDescends() {
        assertThat(InfoColumns.render(ROWS, opts("name,minor", "minor", false, null, false, false, false))).isEqualTo(
                "Name             Min\nref-a              0\nref-b              1\nref-c              2\n"
                + "ref-s              4\nref-i              6\n");
        assertThat(InfoColumns.render(ROWS, opts("name", "-name", true, null, false, false, false)))
                .isEqualTo("ref-s\nref-i\nref-c\nref-b\nref-a\n");
        assertThat(InfoColumns.render(ROWS, opts("name,segments", "+segments,name", true, null, false, false, false)))
                .startsWith("ref-i:0\nref-a:1\n");
    }

    @Test
    void appendedFieldsGroupsAndSpellingsAsLibdevmapperTakesThem() {
        assertThat(InfoColumns.render(List.of(ROWS.get(0)), opts("+devno", null, false, null, false, false, false)))
                .isEqualTo("Name             Maj Min Stat Open Targ Event  UUID                             DevNo\n"
                        + "ref-a            254   0 L--w    1    1      0                                  254:0\n");
        assertThat(InfoColumns.render(List.of(ROWS.get(0)), opts("NAME,Read_Ahead", null, false, null, false, false, false)))
                .isEqualTo("Name             RAhead\nref-a               256\n");
        assertThat(InfoColumns.render(List.of(ROWS.get(4)),
                opts("name,tables_loaded,suspended,readonly", null, false, null, false, false, false)))
                .isEqualTo("Name             Tables Suspended Read-only\nref-s            Live   Suspended Writeable\n");
        assertThat(InfoColumns.render(List.of(ROWS.get(0)), opts("", null, false, null, false, false, false)))
                .isEqualTo("\n\n");
    }

    @Test
    void lvmNamesSplitAtSingleHyphens() {
        InfoColumns.Row lv = new InfoColumns.Row(new DeviceInfo("vg--a-lv-tpool", Optional.of("LVM-abc-tpool"),
                new DeviceNumber(254, 9), 0, 0, 1, Set.of()), OptionalInt.empty(), List.of(), Map.of());
        assertThat(InfoColumns.split(lv)).containsExactly("LVM", "vg-a", "lv", "tpool");
        assertThat(InfoColumns.split(ROWS.get(1))).containsExactly("REF", "", "", "");
    }

    @Test
    void unknownFieldsAndGroupSortKeysAreRefusedBeforeAnyDeviceIsRead() {
        assertThatThrownBy(() -> InfoColumns.fields("name,bogus")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'bogus'");
        assertThatThrownBy(() -> InfoColumns.render(List.of(), opts(null, "info_all", false, null, false, false, false)))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
