package io.dm4j.internal.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.NodePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link NodePolicy#AUTO} resolves to, over a file system root built in a temporary directory. */
class DeviceNodesPolicyTest {
    @Test
    void autoChoosesUdevOnlyWhenItRunsWithTheDmRulesAndIsNotDisabled(@TempDir Path root) throws IOException {
        assertThat(DeviceNodes.decide(Map.of(), root)).isEqualTo(NodePolicy.LIBRARY);
        Files.createDirectories(root.resolve("run/udev"));
        Files.createFile(root.resolve("run/udev/control"));
        assertThat(DeviceNodes.decide(Map.of(), root)).as("udev without dm rules").isEqualTo(NodePolicy.LIBRARY);
        Files.createDirectories(root.resolve("lib/udev/rules.d"));
        Files.createFile(root.resolve("lib/udev/rules.d/95-dm-notify.rules"));
        assertThat(DeviceNodes.decide(Map.of(), root)).as("no 10-dm/55-dm rules").isEqualTo(NodePolicy.LIBRARY);
        Files.createFile(root.resolve("lib/udev/rules.d/55-dm.rules"));
        assertThat(DeviceNodes.decide(Map.of(), root)).isEqualTo(NodePolicy.UDEV);
        assertThat(DeviceNodes.decide(Map.of("DM_DISABLE_UDEV", "1"), root)).isEqualTo(NodePolicy.LIBRARY);
        Files.delete(root.resolve("run/udev/control"));
        assertThat(DeviceNodes.decide(Map.of(), root)).as("udev not running").isEqualTo(NodePolicy.LIBRARY);
    }
}
