package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.TargetLine;
import io.dm4j.testing.BadInputCorpus;
import io.dm4j.testing.RealKernel;
import io.dm4j.testkit.ScratchDisk;
import io.dm4j.testing.ReliabilityLog;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dmctl cases of the bad-input corpus on the real kernel: each ends with its exit status (2
 * for bad usage or input, 1 for what the kernel refuses) and one error line, and nothing changes.
 */
@ExtendWith(RealKernel.class)
class DmctlBadInputIT {
    @TempDir
    Path dir;

    @Test
    void everyCaseEndsWithItsExitStatusAndChangesNothing() throws Exception {
        String dev = RealKernel.name("dmctl-corpus");
        List<TargetLine> table = List.of(new TargetLine(0, 8, "zero", ""));
        List<BadInputCorpus.Case> cases = BadInputCorpus.load("dmctl");
        List<String> mismatches = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        try (ScratchDisk loop = ScratchDisk.create(dir, "corpus", 4L << 20); DeviceMapper dm = DeviceMapper.open()) {
            dm.create(dev, CreateOptions.defaults().uuid(RealKernel.name("dmctl-corpus-uuid")));
            dm.load(dev, table);
            dm.resume(dev);
            try {
                Map<String, String> placeholders = Map.of("dev", dev, "missing", RealKernel.name("dmctl-missing"),
                        "missing2", RealKernel.name("dmctl-missing2"), "loop", loop.number().toString());
                List<DeviceListEntry> devices = dm.list();
                for (BadInputCorpus.Case c : cases) {
                    List<String> argv = new ArrayList<>(List.of(c.operation()));
                    c.escapedArgs(placeholders).forEach(a -> argv.add(BadInputCorpus.unescape(a)));
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    int status = Dmctl.run(argv.toArray(String[]::new), InputStream.nullInputStream(),
                            new PrintWriter(out, true), new PrintWriter(err, true));
                    List<String> errors = err.toString().lines().toList();
                    if (!Integer.toString(status).equals(c.expected()) || errors.size() != 1
                            || !errors.get(0).startsWith("dmctl: ")) {
                        mismatches.add(c + ": exit " + status + ", stderr " + errors);
                    }
                    if (!dm.list().equals(devices) || !dm.table(dev).equals(table) || dm.info(dev).suspended()
                            || dm.info(dev).hasInactiveTable()) {
                        changes.add(c + " changed the devices: " + dm.list(RealKernel.prefix(), ""));
                        BadInputCorpus.restore(dm, dev, devices);
                    }
                }
            } finally {
                dm.remove(dev);
            }
        }
        ReliabilityLog.of("bad-input-dmctl").put("cases", cases.size())
                .put("local", cases.stream().filter(BadInputCorpus.Case::local).count())
                .put("kernel", cases.stream().filter(c -> !c.local()).count()).put("mismatches", mismatches.size())
                .put("changes", changes.size()).write();
        assertThat(mismatches).isEmpty();
        assertThat(changes).isEmpty();
    }
}
