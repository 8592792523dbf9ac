package io.dm4j.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.TargetLine;
import io.dm4j.testing.RealKernel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs inside the test image only (it is compiled into the image's suite, not run by ./mvnw on the
 * host): the container is what the README promises, and there dm4j's own node policy is in charge.
 */
@ExtendWith(RealKernel.class)
class InContainerIT {

    @Test
    void thisIsAContainerWithoutUdev() {
        assertThat(List.of(Path.of("/.dockerenv"), Path.of("/run/.containerenv")))
                .as("Docker's or Podman's marker file").anyMatch(Files::exists);
        assertThat(Path.of("/run/udev/control")).as("udev's control socket").doesNotExist();
    }

    @Test
    void theControlNodeIsTheKernels() throws Exception {
        String misc = Files.readString(Path.of("/sys/class/misc/device-mapper/dev")).strip();
        long rdev = (Long) Files.getAttribute(DeviceMapper.CONTROL, "unix:rdev");
        assertThat(((rdev >>> 8) & 0xfff) + ":" + (rdev & 0xff)).isEqualTo(misc);
    }

    /** The default (AUTO) must pick the library's no-udev policy here, and the nodes must follow. */
    @Test
    void withTheDefaultPolicyDm4jMakesAndRemovesTheNodes() throws Exception {
        try (DeviceMapper dm = DeviceMapper.open()) {
            assertThat(dm.nodePolicy()).isEqualTo(NodePolicy.LIBRARY);
            String name = RealKernel.name("container");
            Path node = Path.of("/dev/mapper", name);
            DeviceInfo info = dm.create(name);
            try {
                dm.load(name, List.of(new TargetLine(0, 2048, "zero", "")));
                dm.resume(name);
                long rdev = (Long) Files.getAttribute(node, "unix:rdev");
                assertThat((rdev >>> 8) & 0xfff).isEqualTo(info.device().major());
                assertThat((rdev & 0xff) | ((rdev >>> 12) & ~0xffL)).isEqualTo(info.device().minor());
                try (FileChannel channel = FileChannel.open(node)) {
                    assertThat(channel.size()).isEqualTo(2048L * 512);
                }
            } finally {
                dm.remove(name);
            }
            assertThat(node).doesNotExist();
        }
    }
}
