package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({"512, 512", "64K, 65536", "64M, 67108864", "16m, 16777216", "2G, 2147483648", " 1M , 1048576"})
    void readsBytesAndBinarySuffixes(String size, long bytes) {
        assertThat(Sizes.parse(size)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "64X", "64MB", "-1M", "1.5G", "64 M", "0x40M"})
    void refusesWhatIsNotASize(String size) {
        assertThatThrownBy(() -> Sizes.parse(size)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@Scratch(size = \"" + size + "\"): expected a number of bytes with an optional K, M or G"
                        + " suffix, e.g. \"64M\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0|a disk needs at least one 512-byte sector", "0G|a disk needs at least one 512-byte sector",
        "1000|not a whole number of 512-byte sectors", "99999999999G|too large", "99999999999999999999|too large"})
    void refusesSizesNoDiskCanHave(String size, String why) {
        assertThatThrownBy(() -> Sizes.parse(size)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@Scratch(size = \"" + size + "\"): " + why);
    }
}
