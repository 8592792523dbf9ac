package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.registry.TableRegistry;
import io.dm4j.testing.BadInputCorpus;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every API case of the bad-input corpus against the real kernel: each raises its typed error,
 * those dm4j can check issue no ioctl, and no device is left or changed.
 */
@ExtendWith(RealKernel.class)
class BadInputCorpusIT {
    @TempDir
    Path dir;

    @Test
    void everyCaseGivesItsTypedErrorAndChangesNothing() throws Exception {
        String dev = RealKernel.name("corpus");
        String uuid = RealKernel.name("corpus-uuid");
        List<TargetLine> table = List.of(new TargetLine(0, 8, "zero", ""));
        List<BadInputCorpus.Case> cases = BadInputCorpus.load("api");
        List<String> mismatches = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        int local = 0;
        try (LoopDevice loop = LoopDevice.create(dir, 4L << 20); DeviceMapper dm = DeviceMapper.open();
                TableRegistry registry = TableRegistry.open(dm)) {
            registry.create(dev, CreateOptions.defaults().uuid(uuid), table);
            try {
                BadInputRunner runner = new BadInputRunner(dm, registry, Map.of("dev", dev, "devuuid", uuid,
                        "missing", RealKernel.name("corpus-missing"), "missing2", RealKernel.name("corpus-missing2"),
                        "loop", loop.number().toString()));
                List<DeviceListEntry> devices = dm.list();
                DeviceInfo info = dm.info(dev);
                for (BadInputCorpus.Case c : cases) {
                    local += c.local() ? 1 : 0;
                    String mismatch = runner.run(c).mismatch();
                    if (mismatch != null) {
                        mismatches.add(mismatch);
                    }
                    DeviceInfo now = dm.info(dev);
                    if (!dm.list().equals(devices) || !dm.table(dev).equals(table) || now.hasInactiveTable()
                            || now.suspended() != info.suspended() || !now.uuid().equals(info.uuid())) {
                        changes.add(c + " changed the devices: " + dm.list(RealKernel.prefix(), ""));
                        BadInputCorpus.restore(dm, dev, devices);
                    }
                }
            } finally {
                registry.remove(dev);
            }
        }
        ReliabilityLog.of("bad-input-api").put("cases", cases.size()).put("local", local)
                .put("kernel", cases.size() - local).put("mismatches", mismatches.size()).put("changes", changes.size())
                .write();
        assertThat(mismatches).isEmpty();
        assertThat(changes).isEmpty();
    }

    /**
     * U+FFFD is an ordinary character: a name with it works. A name that is not UTF-8 in the kernel
     * (made by another tool) lists with U+FFFD in place of the bad byte, and cannot be addressed by
     * that listed name: the command finds no such device rather than another one.
     */
    @Test
    void replacementCharactersAndNamesThatAreNotUtf8() throws Exception {
        try (DeviceMapper dm = DeviceMapper.open()) {
            String fffd = RealKernel.name("r\uFFFDr");
            if (dm.nodePolicy() == NodePolicy.LIBRARY && !"UTF-8".equals(System.getProperty("sun.jnu.encoding"))) {
                // dm4j makes the node, and this JVM's file names cannot hold U+FFFD (no UTF-8 locale).
                assertThatThrownBy(() -> dm.create(fffd)).isInstanceOf(InvalidArgumentException.class);
                assertThat(dm.list(RealKernel.prefix(), "")).isEmpty();
            } else {
                dm.create(fffd);
                assertThat(dm.list(RealKernel.prefix(), "")).extracting(DeviceListEntry::name).containsExactly(fffd);
                assertThat(dm.info(fffd).name()).isEqualTo(fffd);
                dm.remove(fffd);
            }

            String raw = "$(printf '" + RealKernel.prefix() + "b\\377b')";
            Commands.check("sh", "-c", "dmsetup create --manglename none --notable " + raw);
            try {
                String listed = RealKernel.name("b\uFFFDb");
                assertThat(dm.list(RealKernel.prefix(), "")).extracting(DeviceListEntry::name).containsExactly(listed);
                assertThatThrownBy(() -> dm.info(listed)).isInstanceOf(DeviceNotFoundException.class);
                assertThatThrownBy(() -> dm.remove(listed)).isInstanceOf(DeviceNotFoundException.class);
            } finally {
                Commands.check("sh", "-c", "dmsetup remove --manglename none " + raw);
            }
        }
    }
}
