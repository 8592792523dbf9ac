package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceNumberTest {
    @TempDir
    Path dir;

    @Test
    void parsesTheKernelsForm() {
        assertThat(DeviceNumber.parse("7:0")).isEqualTo(new DeviceNumber(7, 0));
        assertThat(DeviceNumber.parse("4095:1048575")).isEqualTo(new DeviceNumber(4095, 1048575));
        assertThat(DeviceNumber.parse("253:12").toString()).isEqualTo("253:12");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "7:", ":0", "07:0", "7:00", "+7:0", "7:-1", "4096:0", "0:1048576", "a:b", "7:0:0",
        "/dev/loop0", "99999999999:0"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> DeviceNumber.parse(text)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("device number");
    }

    @Test
    void resolvesOnlyBlockDevices() throws IOException {
        assertThatThrownBy(() -> DeviceNumber.ofBlockDevice(Path.of("/dev/null")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not a block device");
        Path file = Files.createFile(dir.resolve("file"));
        assertThatThrownBy(() -> DeviceNumber.ofBlockDevice(file)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> DeviceNumber.ofBlockDevice(dir.resolve("missing"))).isInstanceOf(IOException.class);
    }
}
