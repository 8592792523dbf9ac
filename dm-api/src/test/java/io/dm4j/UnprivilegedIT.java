package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.event.EventMonitor;
import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.registry.TableRegistry;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.target.KeyDisclosure;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.target.ZeroTarget;
import io.dm4j.testing.ChildJvm;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code CAP_SYS_ADMIN} (a child JVM under {@code setpriv} as {@code nobody}) every
 * operation fails with {@link PermissionDeniedException}, whose hint says what is needed, and
 * nothing changes. Twice: with the control node as it is (0600: opening it fails), and with it
 * opened up to everyone, so that the kernel's own capability check answers; there a backend that
 * answers only {@code DM_VERSION} itself lets every other command reach the kernel.
 */
@ExtendWith(RealKernel.class)
class UnprivilegedIT {
    private static final List<TargetLine> TABLE = List.of(new TargetLine(0, 8, "zero", ""));

    @TempDir
    Path dir;

    private String classPath;

    @Test
    void everyOperationIsRefusedWithAHintAndNothingChanges() throws Exception {
        String name = RealKernel.name("unpriv");
        try (DeviceMapper dm = DeviceMapper.open()) {
            dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("unpriv-uuid")));
            dm.load(name, TABLE);
            dm.resume(name);
            try {
                List<DeviceListEntry> before = dm.list();
                String closed = asNobody(name, false);
                assertThat(closed).contains("open: refused").doesNotContain("FAIL");
                Path control = DeviceMapper.CONTROL;
                var mode = Files.getPosixFilePermissions(control);
                Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-rw-rw-"));
                String open;
                try {
                    open = asNobody(name, true);
                } finally {
                    Files.setPosixFilePermissions(control, mode);
                }
                assertThat(open).doesNotContain("FAIL");
                long refused = open.lines().filter(l -> l.endsWith(": refused")).count();
                assertThat(refused).as("operations refused by the kernel:%n%s", open).isGreaterThanOrEqualTo(30);
                assertThat(dm.list()).as("nothing changed").isEqualTo(before);
                assertThat(dm.table(name)).isEqualTo(TABLE);
                assertThat(dm.info(name).suspended()).isFalse();
                ReliabilityLog.of("unprivileged").put("operations-refused-node-closed",
                        closed.lines().filter(l -> l.endsWith(": refused")).count())
                        .put("operations-refused-by-kernel", refused).put("changes", 0).write();
            } finally {
                dm.remove(name);
            }
        }
    }

    private String asNobody(String name, boolean nodeOpen) throws IOException {
        if (classPath == null) {
            classPath = ChildJvm.classPath(dir);
        }
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", ChildJvm.java(), "-XX:TieredStopAtLevel=1"));
        command.addAll(ChildJvm.nativeOptions());
        command.addAll(List.of("-cp", classPath, Child.class.getName(), name, Boolean.toString(nodeOpen)));
        Commands.Result r = Commands.run(command.toArray(String[]::new));
        assertThat(r.exitCode()).as("child as nobody:%n%s%s", r.stdout(), r.stderr()).isZero();
        return r.stdout();
    }

    /** Runs as nobody: tries every operation and prints one line per operation. */
    public static final class Child {
        @FunctionalInterface
        interface Operation {
            void run(DeviceMapper dm) throws Exception;
        }

        @FunctionalInterface
        interface Call {
            void run() throws Exception;
        }

        public static void main(String[] args) throws Exception {
            String name = args[0];
            boolean nodeOpen = Boolean.parseBoolean(args[1]);
            expectRefusal("open", () -> DeviceMapper.open().close());
            expectRefusal("event monitor", () -> EventMonitor.start().close());
            if (!nodeOpen) {
                return;
            }
            try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, versionAnsweredHere(), NodePolicy.LIBRARY)) {
                for (Map.Entry<String, Operation> op : operations(name).entrySet()) {
                    expectRefusal(op.getKey(), () -> op.getValue().run(dm));
                }
            }
        }

        private static Map<String, Operation> operations(String name) {
            String other = name + "-x";
            Map<String, Operation> ops = new LinkedHashMap<>();
            ops.put("create", dm -> dm.create(other));
            ops.put("remove", dm -> dm.remove(name));
            ops.put("remove deferred", dm -> dm.removeDeferred(name));
            ops.put("cancel deferred remove", dm -> dm.cancelDeferredRemove(name));
            ops.put("remove all", dm -> dm.removeAll(false));
            ops.put("rename", dm -> dm.rename(name, other));
            ops.put("set uuid", dm -> dm.setUuid(name, "u"));
            ops.put("suspend", dm -> dm.suspend(name));
            ops.put("suspend noflush", dm -> dm.suspend(name, SuspendOption.NO_FLUSH));
            ops.put("resume", dm -> dm.resume(name));
            ops.put("info", dm -> dm.info(name));
            ops.put("list", DeviceMapper::list);
            ops.put("list by prefix", dm -> dm.list(name, ""));
            ops.put("wait event", dm -> dm.waitEvent(name, 0));
            ops.put("await event", dm -> dm.awaitEvent(name, 0, Duration.ofMillis(100)));
            ops.put("load", dm -> dm.load(name, TABLE));
            ops.put("load typed", dm -> dm.load(name, Table.builder().append(Sectors.of(8), new ZeroTarget()).build()));
            ops.put("clear", dm -> dm.clear(name));
            ops.put("table", dm -> dm.table(name));
            ops.put("inactive table", dm -> dm.table(name, TableSlot.INACTIVE));
            ops.put("typed table", dm -> dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.HIDDEN));
            ops.put("status", dm -> dm.status(name));
            ops.put("deps", dm -> dm.deps(name, TableSlot.LIVE));
            ops.put("ima measurement", dm -> dm.imaMeasurement(name, TableSlot.LIVE));
            ops.put("target versions", DeviceMapper::targetVersions);
            ops.put("target version", dm -> dm.targetVersion("linear"));
            ops.put("message", dm -> dm.message(name, 0, "hello"));
            ops.put("arm poll", DeviceMapper::armPoll);
            ops.put("geometry", dm -> dm.setGeometry(name, new Geometry(1, 1, 1, 0)));
            ops.put("mknodes of one", dm -> dm.mknodes(name));
            ops.put("mknodes of all", DeviceMapper::mknodes);
            ops.put("registry create", dm -> TableRegistry.open(dm).create(other, CreateOptions.defaults(), TABLE));
            ops.put("registry adopt", dm -> TableRegistry.open(dm).adopt(""));
            return ops;
        }

        private static void expectRefusal(String what, Call call) {
            try {
                call.run();
                System.out.println(what + ": FAIL: it was allowed");
            } catch (PermissionDeniedException e) {
                boolean clear = e.hint().contains("CAP_SYS_ADMIN") && e.getMessage().contains(e.hint())
                        && e.getMessage().contains(e.command().name());
                System.out.println(what + (clear ? ": refused" : ": FAIL: unclear message: " + e.getMessage()));
            } catch (Exception e) {
                System.out.println(what + ": FAIL: " + e);
            }
        }

        /**
         * The real backend, except that {@code DM_VERSION} is answered here (4.47.0): the kernel
         * refuses every command without the capability, this one included, and a client that
         * cannot learn the version never sends the others.
         */
        private static Syscalls versionAnsweredHere() {
            Syscalls real = Syscalls.get();
            return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                    (proxy, method, args) -> {
                        if (method.getName().startsWith("ioctl") && (Long) args[1] == DmIoctl.request(DmCommand.DM_VERSION)) {
                            DmIoctl.putHeader((ByteBuffer) args[2], new DmVersion(4, 47, 0), DmIoctl.SIZE, 0, null,
                                    null);
                            return 0;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
