package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(RealKernel.class)
class ControlNodeIT {

    static Stream<String> backends() {
        return Syscalls.backends().stream().filter(Syscalls.BackendStatus::available).map(Syscalls.BackendStatus::name);
    }

    /** dmsetup prints "Driver version:   4.48.0"; every backend must read the same version. */
    @ParameterizedTest
    @MethodSource("backends")
    void dmVersionMatchesDmsetup(String backend) throws IOException {
        String driver = Commands.check("dmsetup", "version").lines()
                .filter(l -> l.startsWith("Driver version:")).findFirst().orElseThrow()
                .substring("Driver version:".length()).strip();
        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(backend))) {
            assertThat(dm.backend()).isEqualTo(backend);
            assertThat(dm.version().toString()).isEqualTo(driver);
            assertThat(dm.driverVersion()).isEqualTo(dm.version());
            assertThat(dm.driverVersion().major()).isEqualTo(4);
        }
    }

    @Test
    void allThreeBackendsRunInTheGuest() {
        assertThat(backends()).contains("jnr", "jna");
        if (Runtime.version().feature() >= 22) {
            assertThat(backends()).contains("ffm");
        }
    }
}
