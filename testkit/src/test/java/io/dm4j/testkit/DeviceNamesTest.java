package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class DeviceNamesTest {
    @Test
    void everyNameStartsWithTheRunPrefixAndAPartUniqueToTheTest() {
        DeviceNames a = DeviceNames.forNextTest();
        DeviceNames b = DeviceNames.forNextTest();
        assertThat(a.prefix()).startsWith(DeviceNames.RUN_PREFIX).endsWith("-").isNotEqualTo(b.prefix());
        assertThat(a.next("pool")).isEqualTo(a.prefix() + "pool");
        assertThat(b.next("pool")).isEqualTo(b.prefix() + "pool");
        assertThat(a.prefix()).as("one test's prefix is not the start of another's").doesNotStartWith(b.prefix());
    }

    @Test
    void theRunPrefixIsTheOneDm4jsOwnTestsUse() {
        assertThat(DeviceNames.RUN_PREFIX).isEqualTo(System.getProperty("dm4j.test.prefix", DeviceNames.RUN_PREFIX))
                .startsWith("dm4jt");
    }

    @Test
    void theSameSuffixTwiceGivesANewName() {
        DeviceNames names = new DeviceNames("p-t1-");
        assertThat(names.next("thin")).isEqualTo("p-t1-thin");
        assertThat(names.next("thin")).isEqualTo("p-t1-thin-2");
        assertThat(names.next("pool")).isEqualTo("p-t1-pool");
        assertThat(names.handedOut()).containsExactly("p-t1-thin", "p-t1-thin-2", "p-t1-pool");
    }

    @Test
    void refusesNamesDeviceMapperWouldRefuse() {
        DeviceNames names = new DeviceNames("p-t1-");
        assertThatThrownBy(() -> names.next("a/b")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> names.next("x".repeat(124))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> names.next("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
        assertThat(names.handedOut()).isEmpty();
    }
}
