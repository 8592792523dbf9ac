package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealKernel.class)
class LinearDeviceIT {
    @TempDir
    Path dir;

    @Test
    void linearDeviceOverALoopDeviceIsWhatDmsetupSees() throws IOException {
        String name = RealKernel.name("linear");
        try (LoopDevice loop = LoopDevice.create(dir, 64L << 20); DeviceMapper dm = DeviceMapper.open()) {
            List<TargetLine> table = List.of(
                    new TargetLine(0, 65536, "linear", loop.number() + " 0"),
                    new TargetLine(65536, 65536, "linear", loop.number() + " 65536"));
            DeviceInfo created = dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("uuid-linear")));
            try {
                // A new device has no table at all (the kernel does not report it as suspended).
                assertThat(created.hasLiveTable()).isFalse();
                assertThat(created.hasInactiveTable()).isFalse();
                assertThat(dm.load(name, table).hasInactiveTable()).isTrue();
                DeviceInfo live = dm.resume(name);
                assertThat(live.suspended()).isFalse();
                assertThat(live.hasLiveTable()).isTrue();
                assertThat(live.device()).isEqualTo(created.device());

                assertThat(Commands.check("dmsetup", "table", name))
                        .isEqualTo("0 65536 linear " + loop.number() + " 0\n"
                                + "65536 65536 linear " + loop.number() + " 65536\n");
                assertThat(dm.table(name)).isEqualTo(table);
                assertThat(Commands.check("dmsetup", "info", "-c", "--noheadings", "-o", "name,uuid,major,minor",
                        name).strip())
                        .isEqualTo(name + ":" + RealKernel.name("uuid-linear") + ":" + created.device().major() + ":"
                                + created.device().minor());
                assertThat(Files.readString(Path.of("/sys/dev/block/" + created.device() + "/size")).strip())
                        .isEqualTo("131072");
            } finally {
                dm.remove(name);
            }
            assertThat(Path.of("/sys/dev/block/" + created.device())).doesNotExist();
            assertThatThrownBy(() -> dm.info(name))
                    .isInstanceOfSatisfying(DeviceMapperException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("ENXIO");
                        assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_STATUS);
                        assertThat(e.getMessage()).contains(name);
                    });
            assertThat(Commands.run("dmsetup", "info", name).exitCode()).isNotZero();
        }
    }
}
