package io.dm4j.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DmProtocolException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The @stats_* replies, as Linux 6.1.0-56 printed them (dmsetup message in the VM). */
class DeviceStatsTest {

    @Test
    void listRepliesParseIntoRegions() {
        assertThat(DeviceStats.parseRegions("0: 0+32768 8192 - -\n1: 2048+4096 1024 dmstats aux1\n")).containsExactly(
                new DeviceStats.Region(0, 0, 32768, 8192, "-", "-"),
                new DeviceStats.Region(1, 2048, 4096, 1024, "dmstats", "aux1"));
        assertThat(DeviceStats.parseRegions("")).isEmpty();
        assertThat(DeviceStats.parseRegions("3: 0+8 8 - - precise_timestamps histogram:10,20\n")).hasSize(1);
    }

    @Test
    void printRepliesParseIntoAreas() {
        List<DeviceStats.Area> areas = DeviceStats.parseAreas("0+8192 2 1 4096 4 1 0 2048 12 0 16 16 4 12\n"
                + "8192+8192 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertThat(areas).containsExactly(new DeviceStats.Area(0, 8192, 2, 1, 4096, 4, 1, 0, 2048, 12, 0, 16, 16, 4, 12),
                new DeviceStats.Area(8192, 8192, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(DeviceStats.parseAreas("0+8 1 0 8 0 0 0 0 0 0 0 0 0 0 1:0:0\n")).as("with a histogram").hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0+8 8 - -", "x: 0+8 8 - -", "0: 0-8 8 - -", "0: 0+8 8 -", "0: +8 8 - -",
        "0: 0+8 -8 - -", "0: 0+99999999999999999999 8 - -"})
    void malformedListRepliesAreProtocolErrors(String reply) {
        assertThatThrownBy(() -> DeviceStats.parseRegions(reply)).isInstanceOf(DmProtocolException.class)
                .hasMessageContaining("@stats_list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0+8 1 2 3", "0 1 2 3 4 5 6 7 8 9 10 11 12 13", "0+8 1 2 3 4 5 6 7 8 9 x 11 12 13",
        "0+8 1 2 3 4 5 6 7 8 9 10 11 12 +13"})
    void malformedPrintRepliesAreProtocolErrors(String reply) {
        assertThatThrownBy(() -> DeviceStats.parseAreas(reply)).isInstanceOf(DmProtocolException.class)
                .hasMessageContaining("@stats_print");
    }
}
