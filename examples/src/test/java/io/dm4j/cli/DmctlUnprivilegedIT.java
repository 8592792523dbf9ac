package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.TargetLine;
import io.dm4j.testing.ChildJvm;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * dmctl without {@code CAP_SYS_ADMIN} (a child JVM under {@code setpriv} as {@code nobody}): every
 * command exits with status 1 and one error line carrying the hint, and nothing changes.
 */
@ExtendWith(RealKernel.class)
class DmctlUnprivilegedIT {
    @TempDir
    Path dir;

    @Test
    void everyCommandIsRefusedWithTheHintAndNothingChanges() throws Exception {
        String name = RealKernel.name("dmctl-unpriv");
        try (DeviceMapper dm = DeviceMapper.open()) {
            dm.create(name);
            dm.load(name, List.of(new TargetLine(0, 8, "zero", "")));
            dm.resume(name);
            try {
                List<DeviceListEntry> before = dm.list();
                List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                        "--clear-groups", ChildJvm.java(), "-XX:TieredStopAtLevel=1"));
                command.addAll(ChildJvm.nativeOptions());
                command.addAll(List.of("-cp", ChildJvm.classPath(dir), Child.class.getName(), name));
                Commands.Result r = Commands.run(command.toArray(String[]::new));
                assertThat(r.exitCode()).as("%s%s", r.stdout(), r.stderr()).isZero();
                assertThat(r.stdout()).doesNotContain("FAIL");
                long refused = r.stdout().lines().filter(l -> l.endsWith(": refused")).count();
                assertThat(refused).as(r.stdout()).isEqualTo(Child.commands(name).size());
                assertThat(dm.list()).isEqualTo(before);
                assertThat(dm.info(name).suspended()).isFalse();
                ReliabilityLog.of("unprivileged-dmctl").put("commands-refused", refused).put("changes", 0).write();
            } finally {
                dm.remove(name);
            }
        }
    }

    /** Runs as nobody: each dmctl command must exit 1 with one line naming CAP_SYS_ADMIN. */
    public static final class Child {
        static List<List<String>> commands(String name) {
            return List.of(List.of("version"), List.of("targets"), List.of("ls"), List.of("info", name),
                    List.of("table", name), List.of("status", name), List.of("deps", name),
                    List.of("create", name + "-x", "--notable"), List.of("load", name, "--table", "0 8 zero"),
                    List.of("clear", name), List.of("suspend", name), List.of("resume", name), List.of("remove", name),
                    List.of("remove-all"), List.of("rename", name, name + "-y"), List.of("message", name, "0", "hello"),
                    List.of("wait", name, "--timeout", "0.1"), List.of("events", "--timeout", "0.1"),
                    List.of("holders", name), List.of("mknodes", name));
        }

        public static void main(String[] args) {
            for (List<String> command : commands(args[0])) {
                StringWriter err = new StringWriter();
                int status = Dmctl.run(command.toArray(String[]::new), InputStream.nullInputStream(),
                        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
                List<String> lines = err.toString().lines().toList();
                boolean ok = status == 1 && lines.size() == 1 && lines.get(0).contains("CAP_SYS_ADMIN");
                System.out.println(String.join(" ", command) + (ok ? ": refused" : ": FAIL: exit " + status + " " + lines));
            }
        }
    }
}
